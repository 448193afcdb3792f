/**
 * The pure rules of compensation: which runs first, what counts as cleaned
 * up. Workflow code (workflows/saga/engine.ts) applies them durably.
 */

export type CompensationStatus = 'succeeded' | 'failed' | 'skipped';

export interface CompensationRecord {
  actionType: string;
  resourceId: string;
  description: string;
  priority: number;
  status: CompensationStatus;
  attempts: number;
  durationMs: number;
  error: string | null;
}

export type SagaStatus = 'compensated' | 'compensation_incomplete';

export interface CompensationOutcome {
  status: SagaStatus;
  /** Every compensation, in execution order: the audit trail. */
  compensations: CompensationRecord[];
  /** Share of compensations that succeeded or had nothing to undo, 0–100. */
  cleanupCompleteness: number;
}

export interface Ordered {
  priority: number;
  /** Registration order, from 0. */
  seq: number;
}

/** Higher priority first; equal priorities in reverse order of registration (last step undone first). */
export function compensationOrder<T extends Ordered>(entries: readonly T[]): T[] {
  return [...entries].sort((a, b) => b.priority - a.priority || b.seq - a.seq);
}

/** The same order, grouped by priority, for running equal priorities in parallel. */
export function priorityGroups<T extends Ordered>(entries: readonly T[]): T[][] {
  const groups: T[][] = [];
  for (const entry of compensationOrder(entries)) {
    const last = groups[groups.length - 1];
    if (last && last[0]!.priority === entry.priority) last.push(entry);
    else groups.push([entry]);
  }
  return groups;
}

export function cleanupCompleteness(records: readonly CompensationRecord[]): number {
  if (records.length === 0) return 100;
  const done = records.filter((r) => r.status !== 'failed').length;
  return Math.round((1000 * done) / records.length) / 10;
}

export function outcomeOf(records: CompensationRecord[]): CompensationOutcome {
  const completeness = cleanupCompleteness(records);
  return {
    status: completeness === 100 ? 'compensated' : 'compensation_incomplete',
    compensations: records,
    cleanupCompleteness: completeness,
  };
}

/** Exponential backoff before retry `attempt` (2, 3, …), in ms. */
export function backoffMs(
  attempt: number,
  policy: { initialIntervalMs: number; backoffCoefficient: number; maximumIntervalMs: number },
): number {
  return Math.min(
    policy.initialIntervalMs * policy.backoffCoefficient ** (attempt - 2),
    policy.maximumIntervalMs,
  );
}
