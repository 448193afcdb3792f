/**
 * What an evolution cycle shows while it runs: current details (active
 * version, iteration and step, the last verdict as a table), search
 * attributes to find it (verdict of the last iteration, active version,
 * whether a human is needed) and the cycle metrics (iterations by decision,
 * time to verdict, judged effects). Called from the cycle's state owner
 * (cycleState.ts) at every event, state change and iteration record.
 * New search-attribute upserts are guarded by patched() so histories recorded
 * before them still replay.
 */
import { patched, setCurrentDetails, upsertSearchAttributes } from '@temporalio/workflow';
import { cycleDetails } from '../../domain/currentDetails';
import type { IterationRecord } from '../../domain/evolution/results';
import { ACTIVE_VERSION_KEY, HUMAN_NEEDED_KEY, VERDICT_KEY } from '../../domain/searchAttributes';
import { count, observe } from '../metrics';
import type { CycleRun } from './cycleState';

const SEARCH_ATTRIBUTES_PATCH = 'observability-search-attributes';

interface Seen {
  activeVersion?: string;
  humanNeeded?: boolean;
  iterationStartedAt?: number;
}
const seen = new WeakMap<CycleRun, Seen>();
const seenOf = (run: CycleRun): Seen => {
  let s = seen.get(run);
  if (!s) seen.set(run, (s = {}));
  return s;
};

function show(run: CycleRun): void {
  const last = run.records[run.records.length - 1];
  setCurrentDetails(
    cycleDetails({
      moduleId: run.config.moduleId,
      state: run.state,
      activeVersion: run.active?.version ?? null,
      iteration: run.iteration,
      iterations: run.config.iterations,
      step: run.step,
      lastVerdict: last
        ? {
            decision: last.decision,
            score: last.safetyScore,
            reason: last.reason,
            rows: Object.entries(last.metrics).map(([metric, m]) => ({
              ...m,
              metric,
              interval:
                m.interval && m.interval.lower !== null && m.interval.upper !== null
                  ? ([m.interval.lower, m.interval.upper] as const)
                  : null,
            })),
          }
        : null,
    }),
  );
}

function publishActive(run: CycleRun): void {
  const s = seenOf(run);
  const version = run.active?.version;
  if (!version || version === s.activeVersion) return;
  s.activeVersion = version;
  if (patched(SEARCH_ATTRIBUTES_PATCH))
    upsertSearchAttributes([{ key: ACTIVE_VERSION_KEY, value: version }]);
}

/** When the cycle starts an iteration (its verdict time counts from here). */
export function markIterationStart(run: CycleRun): void {
  seenOf(run).iterationStartedAt = Date.now();
  show(run);
}

/** After every event the cycle emits. */
export function observeEvent(run: CycleRun): void {
  publishActive(run);
  show(run);
}

/** After every state change. */
export function observeState(run: CycleRun): void {
  const s = seenOf(run);
  const humanNeeded = run.state === 'pending_approval' || run.state === 'needs_attention';
  if (humanNeeded !== s.humanNeeded) {
    s.humanNeeded = humanNeeded;
    if (patched(SEARCH_ATTRIBUTES_PATCH))
      upsertSearchAttributes([{ key: HUMAN_NEEDED_KEY, value: humanNeeded }]);
  }
  show(run);
}

function direction(verdict: string): 'improvement' | 'regression' | 'none' {
  if (/regress|critical/i.test(verdict)) return 'regression';
  if (/improv/i.test(verdict)) return 'improvement';
  return 'none';
}

/** After every finished iteration. */
export function observeRecord(run: CycleRun, record: IterationRecord): void {
  const moduleId = run.config.moduleId;
  count('ratchet_cycle_iterations_total', { module_id: moduleId, decision: record.decision });
  const started = seenOf(run).iterationStartedAt;
  if (started !== undefined)
    observe('ratchet_cycle_time_to_verdict_seconds', (Date.now() - started) / 1000, {
      module_id: moduleId,
    });
  for (const m of Object.values(record.metrics))
    if (m.effect !== null && Number.isFinite(m.effect))
      observe('ratchet_judge_effect', Math.abs(m.effect), { direction: direction(m.verdict) });
  if (patched(SEARCH_ATTRIBUTES_PATCH))
    upsertSearchAttributes([{ key: VERDICT_KEY, value: record.decision }]);
  publishActive(run);
  show(run);
}
