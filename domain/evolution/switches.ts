/**
 * The seeds' safety switches (EVOSEAL's `safety_config`, seeds 000 and 003),
 * accepted with their meaning. Each maps onto what the cycle does
 * (workflows/evolution/rollback.ts, iteration.ts, cleanup.ts); a value that
 * cannot be honoured is refused with an error naming it, never ignored silently.
 *
 * | switch                          | default | honoured                                        |
 * | autoCheckpoint                  | true    | always: the rollback needs the checkpoint        |
 * | autoRollback                    | true    | both: false → needs_attention, no rollback       |
 * | enableCascadingRollback         | true    | both: false → no walk to older versions          |
 * | enableRollbackFailureRecovery   | true    | both: false → no known-good (stable) recovery    |
 * | enableStatisticalAnalysis       | true    | both: false → threshold rule on medians only     |
 * | enableAnomalyDetection          | true    | both: false → no z-score/IQR/trend warnings      |
 * | autoCleanup (+ maxCheckpoints)  | false   | both: true → retention after each iteration      |
 * | rollbackTimeoutSec              | unset   | both: past it → needs_attention                  |
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
  if (config.autoCheckpoint === false)
    out.push({
      path: ['autoCheckpoint'],
      message:
        'autoCheckpoint: false is refused — ratchet always checkpoints before an iteration, because every rollback needs that checkpoint',
    });
  if (config.maxCheckpoints !== undefined && config.autoCleanup !== true)
    out.push({
      path: ['maxCheckpoints'],
      message: 'maxCheckpoints applies only with autoCleanup: true',
    });
  return out;
}

export function refuseUnwiredSwitches(
  config: Parameters<typeof unwiredSwitches>[0],
  ctx: z.RefinementCtx,
): void {
  for (const issue of unwiredSwitches(config)) ctx.addIssue({ code: 'custom', ...issue });
}
