/**
 * What an iteration's outcome does to the cycle: records, metrics history,
 * the rejection streak, budget usage, and `stable` tags earned by versions
 * that carried iterations without trouble.
 */
import type { MetricValues } from '../../domain/evolution/failures';
import { scalarHistoryEntry } from '../../domain/evolution/judging';
import { isSafeTarget } from '../../domain/lineage';
import type { VersionRecord } from '../../domain/versions';
import { store } from './activities';
import { HISTORY_WINDOW, emit, type CycleRun } from './cycleState';
import type { IterationOutcome } from './iteration';

export type NeedsHuman = Extract<IterationOutcome, { kind: 'needs_human' }>;

export function acceptMetrics(run: CycleRun, metrics: MetricValues): void {
  run.baselineMetrics = metrics;
  run.history = [...run.history, scalarHistoryEntry(metrics)].slice(-HISTORY_WINDOW);
}

/** Counts what the iteration spent against the budgets. */
export function countUsage(run: CycleRun, outcome: IterationOutcome): void {
  if (outcome.usage?.evaluated) run.usage.evaluations++;
  run.usage.commandMs += outcome.usage?.commandMs ?? 0;
}

/** A finished iteration: the new active version, the streak, the accepted metrics. */
export function settleFinished(
  run: CycleRun,
  outcome: Extract<IterationOutcome, { kind: 'finished' }>,
): void {
  run.active = outcome.active;
  if (outcome.record.decision === 'accepted') {
    run.consecutiveRejections = 0;
    if (outcome.metrics) acceptMetrics(run, outcome.metrics);
  } else run.consecutiveRejections++;
}

/** A version that carried `stableAfter` iterations without trouble is tagged `stable`. */
export async function creditCleanIteration(run: CycleRun, base: VersionRecord): Promise<void> {
  const { config } = run;
  if (run.state === 'needs_attention' || config.stableAfter <= 0) return;
  run.cleanCounts[base.version] = (run.cleanCounts[base.version] ?? 0) + 1;
  if (run.cleanCounts[base.version] !== config.stableAfter || base.tags.includes('stable')) return;
  const current = run.lineage.find((v) => v.version === base.version);
  if (!current || !isSafeTarget(current)) return;
  let tagged: VersionRecord;
  try {
    tagged = await store.tagVersion({
      moduleId: config.moduleId,
      version: base.version,
      tag: 'stable',
    });
  } catch {
    return; // a tag can wait for the next clean iteration; the store's trouble shows elsewhere
  }
  if (run.active?.version === tagged.version) run.active = tagged;
  emit(run, 'VERSION_TAGGED_STABLE', {
    version: base.version,
    cleanIterations: config.stableAfter,
  });
}

/** The stop rule: iterations, rejection streak, an empty patch queue. Null = go on. */
export function stopRule(run: CycleRun): string | null {
  const { config } = run;
  if (run.iteration >= config.iterations) return `reached ${config.iterations} iterations`;
  if (run.consecutiveRejections >= config.maxConsecutiveRejections)
    return `${run.consecutiveRejections} rejections in a row`;
  if (run.patchQueue && run.iteration >= run.patchQueue.length) return 'no more patches';
  return null;
}

/** The budget reached, if any (then the cycle pauses; in-flight work is never killed). */
export function budgetReached(run: CycleRun): string | null {
  const b = run.config.budgets;
  const u = run.usage;
  if (b.wallTimeSec !== undefined && Date.now() - u.sinceMs >= b.wallTimeSec * 1000)
    return `wall-time budget of ${b.wallTimeSec}s reached`;
  if (b.evaluations !== undefined && u.evaluations >= b.evaluations)
    return `evaluation budget of ${b.evaluations} reached`;
  if (b.commandTimeSec !== undefined && u.commandMs >= b.commandTimeSec * 1000)
    return `command-time budget of ${b.commandTimeSec}s reached`;
  return null;
}
