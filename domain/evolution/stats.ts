/**
 * Safety statistics from a module's durable event logs — the seeds'
 * `get_safety_status()` and `get_rollback_statistics()`. Pure: the CLI reads
 * the logs, this counts.
 *
 * A rollback is one ROLLBACK_INITIATED that is not a cascade step (those carry
 * `attempt`); it succeeded when a ROLLBACK_COMPLETED follows before the next
 * one, failed when NEEDS_ATTENTION does. Time to verdict runs from
 * ITERATION_STARTED to the iteration's first verdict: VERSION_ACCEPTED,
 * CANDIDATE_REJECTED, ROLLBACK_INITIATED, APPROVAL_REQUESTED or NEEDS_ATTENTION
 * (a human's thinking time is not in it).
 */
import type { EvolutionEvent, EvolutionEventType } from './events';

export interface EvolutionStats {
  cycles: number;
  iterations: number;
  evaluations: number;
  accepted: number;
  /** Checkpoints the cycles made: a candidate's, or one of a workspace changed outside ratchet. */
  checkpointsCreated: number;
  rollbacks: {
    total: number;
    succeeded: number;
    failed: number;
    /** succeeded / (succeeded + failed); null before any rollback finished. */
    successRate: number | null;
    /** Where the succeeded ones landed. */
    direct: number;
    cascade: number;
    recovery: number;
    averageMs: number | null;
  };
  cascades: { started: number; completed: number };
  recoveries: { started: number; completed: number };
  verifications: { passed: number; failed: number };
  /** Iterations that reached a verdict (what averageTimeToVerdictMs averages over). */
  verdicts: number;
  averageTimeToVerdictMs: number | null;
  lastEventAt: string | null;
}

const VERDICTS = new Set<EvolutionEventType>([
  'VERSION_ACCEPTED',
  'CANDIDATE_REJECTED',
  'ROLLBACK_INITIATED',
  'APPROVAL_REQUESTED',
  'NEEDS_ATTENTION',
]);

const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);
const ms = (a: string, b: string) => Math.max(0, Date.parse(b) - Date.parse(a));

/** Statistics over cycles, each given as its events in log order. */
export function evolutionStats(cycles: ReadonlyArray<readonly EvolutionEvent[]>): EvolutionStats {
  const count = (type: EvolutionEventType) =>
    cycles.reduce((n, events) => n + events.filter((e) => e.type === type).length, 0);
  const rollbackMs: number[] = [];
  const verdictMs: number[] = [];
  const landed = { direct: 0, cascade: 0, recovery: 0 };
  let total = 0;
  let failed = 0;
  let lastEventAt: string | null = null;
  let candidates = 0;
  for (const events of cycles) {
    let open: { at: string; cascaded: boolean; recovered: boolean } | null = null;
    const started = new Map<number, string>();
    for (const e of events) {
      if (lastEventAt === null || e.at > lastEventAt) lastEventAt = e.at;
      if (e.type === 'CANDIDATE_APPLIED') candidates++;
      if (e.iteration !== null) {
        if (e.type === 'ITERATION_STARTED') started.set(e.iteration, e.at);
        else if (VERDICTS.has(e.type) && started.has(e.iteration)) {
          verdictMs.push(ms(started.get(e.iteration)!, e.at));
          started.delete(e.iteration);
        }
      }
      if (e.type === 'ROLLBACK_INITIATED' && e.data.attempt === undefined) {
        total++;
        open = { at: e.at, cascaded: false, recovered: false };
      } else if (open && e.type === 'CASCADING_ROLLBACK_STARTED') open.cascaded = true;
      else if (open && e.type === 'FAILURE_RECOVERY_STARTED') open.recovered = true;
      else if (open && e.type === 'ROLLBACK_COMPLETED') {
        landed[open.recovered ? 'recovery' : open.cascaded ? 'cascade' : 'direct']++;
        rollbackMs.push(ms(open.at, e.at));
        open = null;
      } else if (open && e.type === 'NEEDS_ATTENTION') {
        failed++;
        rollbackMs.push(ms(open.at, e.at));
        open = null;
      }
    }
  }
  const succeeded = landed.direct + landed.cascade + landed.recovery;
  const workspaceCheckpoints = cycles.reduce(
    (n, events) =>
      n + events.filter((e) => e.type === 'CHECKPOINT_CREATED' && e.data.reused === false).length,
    0,
  );
  return {
    cycles: cycles.length,
    iterations: count('ITERATION_STARTED'),
    evaluations: count('EVALUATION_COMPLETED'),
    accepted: count('VERSION_ACCEPTED'),
    checkpointsCreated: candidates + workspaceCheckpoints,
    rollbacks: {
      total,
      succeeded,
      failed,
      successRate: succeeded + failed ? succeeded / (succeeded + failed) : null,
      ...landed,
      averageMs: mean(rollbackMs),
    },
    cascades: {
      started: count('CASCADING_ROLLBACK_STARTED'),
      completed: count('CASCADING_ROLLBACK_COMPLETED'),
    },
    recoveries: {
      started: count('FAILURE_RECOVERY_STARTED'),
      completed: count('FAILURE_RECOVERY_COMPLETED'),
    },
    verifications: {
      passed: count('ROLLBACK_VERIFICATION_PASSED'),
      failed: count('ROLLBACK_VERIFICATION_FAILED'),
    },
    verdicts: verdictMs.length,
    averageTimeToVerdictMs: mean(verdictMs),
    lastEventAt,
  };
}

const weighted = (parts: Array<[number | null, number]>): number | null => {
  const n = parts.reduce((a, [, w]) => a + w, 0);
  return n ? parts.reduce((a, [x, w]) => a + (x ?? 0) * w, 0) / n : null;
};

/** Several modules' statistics as one (averages weighted by what they average over). */
export function totalStats<
  T extends EvolutionStats & { checkpoints: { total: number; live: number } },
>(all: readonly T[]): EvolutionStats & { checkpoints: { total: number; live: number } } {
  const sum = (f: (s: T) => number) => all.reduce((a, s) => a + f(s), 0);
  const succeeded = sum((s) => s.rollbacks.succeeded);
  const failed = sum((s) => s.rollbacks.failed);
  return {
    cycles: sum((s) => s.cycles),
    iterations: sum((s) => s.iterations),
    evaluations: sum((s) => s.evaluations),
    accepted: sum((s) => s.accepted),
    checkpointsCreated: sum((s) => s.checkpointsCreated),
    checkpoints: { total: sum((s) => s.checkpoints.total), live: sum((s) => s.checkpoints.live) },
    rollbacks: {
      total: sum((s) => s.rollbacks.total),
      succeeded,
      failed,
      successRate: succeeded + failed ? succeeded / (succeeded + failed) : null,
      direct: sum((s) => s.rollbacks.direct),
      cascade: sum((s) => s.rollbacks.cascade),
      recovery: sum((s) => s.rollbacks.recovery),
      averageMs: weighted(
        all.map((s) => [s.rollbacks.averageMs, s.rollbacks.succeeded + s.rollbacks.failed]),
      ),
    },
    cascades: {
      started: sum((s) => s.cascades.started),
      completed: sum((s) => s.cascades.completed),
    },
    recoveries: {
      started: sum((s) => s.recoveries.started),
      completed: sum((s) => s.recoveries.completed),
    },
    verifications: {
      passed: sum((s) => s.verifications.passed),
      failed: sum((s) => s.verifications.failed),
    },
    verdicts: sum((s) => s.verdicts),
    averageTimeToVerdictMs: weighted(all.map((s) => [s.averageTimeToVerdictMs, s.verdicts])),
    lastEventAt: all.reduce<string | null>(
      (a, s) => (s.lastEventAt !== null && (a === null || s.lastEventAt > a) ? s.lastEventAt : a),
      null,
    ),
  };
}
