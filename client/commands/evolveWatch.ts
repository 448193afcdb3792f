/** Following a cycle from the terminal: step changes, approvals to answer, the final table. */
import type { Client } from '@temporalio/client';
import type { CycleResult } from '../../domain/evolution/results';
import type { ModuleStats } from '../evolutionStats';
import { evolutionEvents, evolutionResult } from '../evolution';
import { progress, table } from '../output';

export async function watchCycle(
  client: Client,
  workflowId: string,
  options: { quiet?: boolean; pollMs?: number } = {},
): Promise<CycleResult> {
  const done = evolutionResult(client, workflowId);
  let finished = false;
  void done.finally(() => (finished = true)).catch(() => undefined);
  let seq = 0;
  while (!finished) {
    await new Promise((r) => setTimeout(r, options.pollMs ?? 1000));
    if (options.quiet) continue;
    try {
      for (const e of await evolutionEvents(client, workflowId, seq)) {
        seq = e.seq;
        progress(
          `  ${e.iteration === null ? '  ' : `#${e.iteration}`} ${e.type}${describe(e.type, e.data)}`,
        );
        if (e.type === 'APPROVAL_REQUESTED') {
          progress(
            `     → ratchet evolve approve ${workflowId} --by $USER   (or: ratchet evolve reject ${workflowId} --by $USER --reason WHY)`,
          );
        }
      }
    } catch {
      // the cycle may be between runs (continue-as-new); try again
    }
  }
  return done;
}

function describe(type: string, data: Record<string, unknown>): string {
  const pick = (k: string) =>
    data[k] === undefined || data[k] === null ? '' : ` ${k}=${JSON.stringify(data[k])}`;
  switch (type) {
    case 'CANDIDATE_APPLIED':
    case 'ITERATION_STARTED':
      return pick('candidate');
    case 'ITERATION_COMPLETED':
      return `${pick('decision')}${pick('reason')}`;
    case 'COMPATIBILITY_ASSESSED':
      return pick('level');
    case 'REGRESSION_DETECTED':
      return `${pick('regressed')}${pick('critical')}`;
    case 'ROLLBACK_INITIATED':
      return `${pick('to')}${pick('reason')}`;
    default:
      return pick('version');
  }
}

export function formatIterations(result: CycleResult): string {
  const rows = result.iterations.map((it) => [
    it.index,
    it.candidate,
    it.version ?? '-',
    it.decision,
    it.rollbackPerformed ? 'yes' : 'no',
    it.safetyScore ?? '-',
    it.compatibility ?? '-',
    it.reason,
  ]);
  const lineage = result.lineage.map((v) => [
    v.version,
    v.parentVersion ?? '-',
    v.status,
    v.tags.join(','),
  ]);
  return [
    `${result.workflowId}: ${result.state}, final version ${result.finalVersion ?? '-'} (${result.stopReason})`,
    '',
    table(['#', 'CANDIDATE', 'VERSION', 'DECISION', 'ROLLBACK', 'SCORE', 'COMPAT', 'REASON'], rows),
    '',
    table(['VERSION', 'PARENT', 'STATUS', 'TAGS'], lineage),
  ].join('\n');
}

const pct = (x: number | null) => (x === null ? '-' : `${(x * 100).toFixed(1)} %`);
const secs = (x: number | null) => (x === null ? '-' : `${(x / 1000).toFixed(1)} s`);

/** `ratchet evolve stats` as a table, one row per module. */
export function formatStats(modules: readonly ModuleStats[]): string {
  if (!modules.length) return 'no evolution event logs under the data dir';
  return table(
    [
      'MODULE',
      'CYCLES',
      'ITER',
      'ACCEPTED',
      'CHECKPOINTS',
      'ROLLBACKS',
      'SUCCESS',
      'CASCADES',
      'RECOVERIES',
      'VERDICT AVG',
    ],
    modules.map((m) => [
      m.moduleId,
      m.cycles,
      m.iterations,
      m.accepted,
      `${m.checkpoints.live}/${m.checkpoints.total}`,
      `${m.rollbacks.succeeded}/${m.rollbacks.total}`,
      pct(m.rollbacks.successRate),
      `${m.cascades.completed}/${m.cascades.started}`,
      `${m.recoveries.completed}/${m.recoveries.started}`,
      secs(m.averageTimeToVerdictMs),
    ]),
  );
}
