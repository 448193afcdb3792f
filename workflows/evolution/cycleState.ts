/**
 * The evolution cycle's state, as one object with one owner: `evolutionCycle`
 * creates it, and every part of the cycle (inbox, baseline, loop, approval,
 * operator wait) takes it as an argument instead of sharing closures.
 */
import { upsertSearchAttributes, workflowInfo, type CancellationScope } from '@temporalio/workflow';
import { defineSearchAttributeKey } from '@temporalio/common';
import type { EvolutionConfig, EvolutionConfigInput } from '../../domain/evolution/config';
import type { EvolutionEvent, EvolutionEventType } from '../../domain/evolution/events';
import type { MetricValues } from '../../domain/evolution/failures';
import type { CycleState, RollbackRequest } from '../../domain/evolution/operator';
import type {
  CycleCalibration,
  CycleResult,
  CycleStatus,
  IterationRecord,
  PendingApproval,
} from '../../domain/evolution/results';
import type { VersionRecord } from '../../domain/versions';
import type { CopyRef } from '../services/copy';
import type { LiveState } from './live';
import { store } from './activities';
import type { StepContext } from './context';
import { EVENT_TAIL, EventLog, type EventLogState } from './eventLog';
import { observeEvent, observeRecord, observeState } from './observe';

const STATE_KEY = defineSearchAttributeKey('RatchetState', 'KEYWORD');
/** Iteration records kept in state and carried over continue-as-new. */
export const RECORD_TAIL = 100;
/** Scalar metric history of accepted versions the judge sees. */
export const HISTORY_WINDOW = 20;

export interface HumanDecision {
  approve: boolean;
  by: string;
  note?: string;
}

/** What the budgets count, since the start or the last resume. */
export interface BudgetUsage {
  sinceMs: number;
  evaluations: number;
  commandMs: number;
}

/** What survives continue-as-new: bounded, whatever the cycle's length. */
export interface CarriedState {
  iterationsDone: number;
  records: IterationRecord[];
  log?: EventLogState;
  /** Carried by cycles started before the durable event log (read once, then dropped). */
  events?: EvolutionEvent[];
  seq?: number;
  active: VersionRecord;
  baselineMetrics: MetricValues | null;
  history: Array<Record<string, number>>;
  patchQueue: string[] | null;
  consecutiveRejections: number;
  cleanCounts: Record<string, number>;
  paused: boolean;
  usage?: BudgetUsage;
  stopReason?: string | null;
  calibration?: CycleCalibration | null;
  /** The service copy the cycle keeps live (live.ts). */
  serving?: CopyRef | null;
}

export interface CycleInput {
  config: EvolutionConfigInput;
  carried?: CarriedState;
}

export type Pending = PendingApproval & { candidate: VersionRecord };

export interface CycleRun {
  readonly input: CycleInput;
  readonly config: EvolutionConfig;
  readonly workflowId: string;
  readonly log: EventLog;
  state: CycleState;
  step: string;
  iteration: number;
  iterationsThisRun: number;
  stopReason: string | null;
  records: IterationRecord[];
  lineage: VersionRecord[];
  active: VersionRecord | null;
  baselineMetrics: MetricValues | null;
  history: Array<Record<string, number>>;
  patchQueue: string[] | null;
  consecutiveRejections: number;
  cleanCounts: Record<string, number>;
  usage: BudgetUsage;
  /** The A/A calibration run at the cycle's start, when the config requires one. */
  calibration: CycleCalibration | null;
  /** Set by operator updates, consumed by the loop and the waits. */
  inbox: {
    paused: boolean;
    resumeRequested: boolean;
    humanDecision: HumanDecision | undefined;
    rollbackRequest: RollbackRequest | undefined;
  };
  pending: Pending | null;
  childScope: CancellationScope | undefined;
  /** Module settings and the live service (live.ts); unset in cycles from before it. */
  live?: LiveState;
}

function carriedLog(carried: CarriedState | undefined): EventLogState | undefined {
  if (!carried || carried.log) return carried?.log;
  if (!carried.events) return undefined;
  // An older run delivered its events itself before continuing as new.
  const seq = carried.seq ?? carried.events.at(-1)?.seq ?? 0;
  return { tail: carried.events.slice(-EVENT_TAIL), seq, loggedSeq: seq, cursors: {} };
}

export function openCycle(input: CycleInput, config: EvolutionConfig): CycleRun {
  const carried = input.carried;
  const workflowId = workflowInfo().workflowId;
  return {
    input,
    config,
    workflowId,
    log: new EventLog(config.moduleId, workflowId, config.sinks, carriedLog(carried)),
    state: carried?.paused ? 'paused' : 'running',
    step: 'starting',
    iteration: carried?.iterationsDone ?? 0,
    iterationsThisRun: 0,
    stopReason: carried?.stopReason ?? null,
    records: carried?.records ?? [],
    lineage: [],
    active: carried?.active ?? null,
    baselineMetrics: carried?.baselineMetrics ?? null,
    history: carried?.history ?? [],
    patchQueue: carried?.patchQueue ?? null,
    consecutiveRejections: carried?.consecutiveRejections ?? 0,
    cleanCounts: carried?.cleanCounts ?? {},
    usage: carried?.usage ?? { sinceMs: Date.now(), evaluations: 0, commandMs: 0 },
    calibration: carried?.calibration ?? null,
    inbox: {
      paused: carried?.paused ?? false,
      resumeRequested: false,
      humanDecision: undefined,
      rollbackRequest: undefined,
    },
    pending: null,
    childScope: undefined,
  };
}

/** The active version; set by the baseline before anything else reads it. */
export function activeOf(run: CycleRun): VersionRecord {
  if (!run.active) throw new Error('no active version yet (ratchet bug: baseline not set up)');
  return run.active;
}

export function emit(
  run: CycleRun,
  type: EvolutionEventType,
  data: Record<string, unknown> = {},
  iteration: number | null = run.iteration || null,
  at?: string,
): void {
  run.log.emit(type, data, iteration, at);
  observeEvent(run);
}

export function setState(run: CycleRun, next: CycleState): void {
  if (run.state === next) return;
  run.state = next;
  upsertSearchAttributes([{ key: STATE_KEY, value: next }]);
  observeState(run);
}

/** Publishes the initial state (a fresh cycle; carried runs keep theirs). */
export function publishState(run: CycleRun): void {
  upsertSearchAttributes([{ key: STATE_KEY, value: run.state }]);
}

/** Steps shared with iterations (rollback, accept) emit into the cycle's log through this. */
export function stepContext(run: CycleRun, iteration: number | null = null): StepContext {
  return {
    config: run.config,
    iteration,
    emit: (type, data = {}) => emit(run, type, data, iteration ?? (run.iteration || null)),
    step: (s) => (run.step = s),
  };
}

/**
 * Re-reads the lineage. Strict where a decision depends on it (baseline, manual rollback);
 * elsewhere a store that cannot answer keeps the last copy rather than failing the cycle.
 */
export async function refreshLineage(run: CycleRun, strict = true): Promise<void> {
  try {
    run.lineage = await store.getLineage({ moduleId: run.config.moduleId });
  } catch (err) {
    if (strict) throw err;
    return;
  }
  // ratchet_version_lineage_depth is derived by the worker from the store (workers/metrics.ts):
  // a gauge set here would not be set again after a restart.
}

export function addRecord(run: CycleRun, record: IterationRecord): void {
  run.records.push(record);
  observeRecord(run, record);
  if (run.records.length > RECORD_TAIL) run.records = run.records.slice(-RECORD_TAIL);
}

export function carriedState(run: CycleRun): CarriedState {
  return {
    iterationsDone: run.iteration,
    records: run.records.slice(-RECORD_TAIL),
    log: run.log.carry(),
    active: activeOf(run),
    baselineMetrics: run.baselineMetrics,
    history: run.history.slice(-HISTORY_WINDOW),
    patchQueue: run.patchQueue,
    consecutiveRejections: run.consecutiveRejections,
    cleanCounts: run.cleanCounts,
    paused: run.inbox.paused,
    usage: run.usage,
    stopReason: run.state === 'paused' ? run.stopReason : null,
    ...(run.calibration ? { calibration: run.calibration } : {}),
    ...(run.live?.serving ? { serving: run.live.serving } : {}),
  };
}

function withoutCandidate(p: Pending): PendingApproval {
  const { candidate: _candidate, ...rest } = p;
  return rest;
}

export function statusOf(run: CycleRun): CycleStatus {
  return {
    workflowId: run.workflowId,
    moduleId: run.config.moduleId,
    state: run.state,
    iteration: run.iteration,
    step: run.step,
    activeVersion: run.active?.version ?? null,
    pendingApproval: run.pending ? withoutCandidate(run.pending) : null,
    stopReason: run.stopReason,
    delivery: run.log.status(),
    budgets: {
      evaluations: run.usage.evaluations,
      commandSec: Math.round(run.usage.commandMs / 1000),
      wallSec: Math.round((Date.now() - run.usage.sinceMs) / 1000),
    },
  };
}

export function cycleResult(run: CycleRun): CycleResult {
  return {
    workflowId: run.workflowId,
    moduleId: run.config.moduleId,
    state: run.state,
    finalVersion: run.active?.version ?? null,
    stopReason: run.stopReason ?? '',
    iterations: run.records,
    lineage: run.lineage,
    events: run.log.since(0),
    ...(run.calibration ? { calibration: run.calibration } : {}),
  };
}
