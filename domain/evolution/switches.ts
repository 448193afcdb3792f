/**
 * The seeds' safety switches (EVOSEAL's `safety_config`, seeds 000 and 003),
 * accepted with their meaning. Each either maps onto what ratchet does, or —
 * where honouring a value needs the evolution iteration to change — refuses
 * that value with an error naming it, never ignoring it silently.
 *
 * | switch                          | default | honoured                                        |
 * | autoCheckpoint                  | true    | always: the rollback needs the checkpoint        |
 * | autoRollback                    | true    | true only (false: refused, not wired)            |
 * | enableCascadingRollback         | true    | true only (false: refused, not wired)            |
 * | enableRollbackFailureRecovery   | true    | true only (false: refused, not wired)            |
 * | enableStatisticalAnalysis       | true    | both: false → threshold rule on medians only     |
 * | enableAnomalyDetection          | true    | both: false → no z-score/IQR/trend warnings      |
 * | autoCleanup (+ maxCheckpoints)  | false   | false only (true: refused, not wired)            |
 * | rollbackTimeoutSec              | unset   | unset only (a value: refused, not wired)         |
 */
import { z } from 'zod';

export const SeedSwitches = z.object({
  /** Checkpoint before every iteration. Always on in ratchet. @default true */
  autoCheckpoint: z.boolean().default(true),
  /** Roll a failing candidate back automatically. @default true */
  autoRollback: z.boolean().default(true),
  /** When a rollback's verification fails, walk on to older versions. @default true */
  enableCascadingRollback: z.boolean().default(true),
  /** When the cascade is exhausted, try known-good (`stable`) versions. @default true */
  enableRollbackFailureRecovery: z.boolean().default(true),
  /** Mann–Whitney on samples; false: the threshold rule on medians decides every metric. @default true */
  enableStatisticalAnalysis: z.boolean().default(true),
  /** Z-score/IQR/trend warnings against the metric history. @default true */
  enableAnomalyDetection: z.boolean().default(true),
  /** Apply `maxCheckpoints` retention after each iteration. @default false */
  autoCleanup: z.boolean().default(false),
  /** The retention `autoCleanup` applies (the module's own `maxCheckpoints` when unset). */
  maxCheckpoints: z.number().int().min(1).optional(),
  /** Ceiling on one rollback (restore + verification), in seconds. */
  rollbackTimeoutSec: z.number().int().min(1).max(86_400).optional(),
});
export type SeedSwitches = z.infer<typeof SeedSwitches>;

/** Every switch value that cannot be honoured (yet), with why; empty when all can. */
export function unwiredSwitches(
  config: Partial<SeedSwitches>,
): Array<{ path: string[]; message: string }> {
  const out: Array<{ path: string[]; message: string }> = [];
  const notYet = (key: string, value: unknown, what: string) =>
    out.push({
      path: [key],
      message: `${key}: ${JSON.stringify(value)} is not supported yet (${what}); remove it or use the default`,
    });
  if (config.autoCheckpoint === false)
    out.push({
      path: ['autoCheckpoint'],
      message:
        'autoCheckpoint: false is refused — ratchet always checkpoints before an iteration, because every rollback needs that checkpoint',
    });
  if (config.autoRollback === false)
    notYet('autoRollback', false, 'a failing candidate is always rolled back');
  if (config.enableCascadingRollback === false)
    notYet('enableCascadingRollback', false, 'a failed rollback always cascades to older versions');
  if (config.enableRollbackFailureRecovery === false)
    notYet(
      'enableRollbackFailureRecovery',
      false,
      'an exhausted cascade always tries the newest stable version',
    );
  if (config.autoCleanup === true)
    notYet(
      'autoCleanup',
      true,
      'run `ratchet checkpoint cleanup` or set `ratchet versions config MODULE --max-checkpoints N` and clean up on a schedule',
    );
  if (config.maxCheckpoints !== undefined && config.autoCleanup !== true)
    out.push({
      path: ['maxCheckpoints'],
      message: 'maxCheckpoints applies only with autoCleanup: true',
    });
  if (config.rollbackTimeoutSec !== undefined)
    notYet(
      'rollbackTimeoutSec',
      config.rollbackTimeoutSec,
      "a rollback's activities use their own timeouts",
    );
  return out;
}

export function refuseUnwiredSwitches(
  config: Parameters<typeof unwiredSwitches>[0],
  ctx: z.RefinementCtx,
): void {
  for (const issue of unwiredSwitches(config)) ctx.addIssue({ code: 'custom', ...issue });
}
