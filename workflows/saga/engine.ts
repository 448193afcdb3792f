/**
 * The saga engine, in workflow code. A step registers its compensation
 * BEFORE it runs (the step may time out after its side effect happened), so
 * every compensation is idempotent and "nothing to undo" is a success.
 *
 *   const saga = new Saga();
 *   saga.register({ actionType: 'remove_record', resourceId: id, priority: 100,
 *                   activity: 'removeAgentRecord', args: [{ agentId: id }] });
 *   await reserveRecord(...);
 *   ...
 *   catch { const outcome = await saga.compensate(); }   // or saga.clear() when done
 *
 * Compensations run in a non-cancellable scope (a cancelled run still cleans
 * up), highest priority first, ties in reverse registration order. Each is
 * its own activity call with its own timeout; its retries are counted here,
 * attempt by attempt, so the audit trail says exactly how many it took. One
 * that fails for good is recorded and the rest still run.
 *
 * The live ledger (`saga.ledger()`) lists every registered compensation with
 * its status — pending, running, then its outcome — for queries and the
 * run's current details; `onChange` is told at every change. Each
 * compensation is counted in `ratchet_saga_compensations_total` and timed in
 * `ratchet_saga_compensation_duration_seconds`.
 */
import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  log,
  proxyActivities,
  sleep,
} from '@temporalio/workflow';
import type { Duration } from '@temporalio/common';
import {
  backoffMs,
  outcomeOf,
  priorityGroups,
  type CompensationOutcome,
  type CompensationRecord,
} from '../../domain/saga';
import type { LedgerEntry, SagaLedger } from '../../domain/sagaLedger';
import { count, observe } from '../metrics';

export interface CompensationRetry {
  /** @default 3 */
  maximumAttempts?: number;
  /** @default 1000 */
  initialIntervalMs?: number;
  /** @default 2 */
  backoffCoefficient?: number;
  /** @default 30000 */
  maximumIntervalMs?: number;
}

export interface CompensationSpec {
  actionType: string;
  resourceId: string;
  description?: string;
  /** Higher runs first. */
  priority: number;
  /** Name of an activity registered on the worker. */
  activity: string;
  args: unknown[];
  /** @default '30 seconds' */
  startToCloseTimeout?: Duration;
  retry?: CompensationRetry;
}

export interface SagaOptions {
  /** Run compensations of equal priority at the same time. @default false */
  parallelEqualPriority?: boolean;
  /** Called after every change to the ledger (e.g. to rewrite the run's current details). */
  onChange?: (ledger: SagaLedger) => void;
}

type Entry = CompensationSpec & { seq: number; live: LedgerEntry };

/** What an activity returns when there was nothing to undo; recorded as `skipped`. */
export interface NothingToUndo {
  skipped: true;
}

function errorMessage(err: unknown): string {
  let e: unknown = err;
  if (e instanceof ActivityFailure && e.cause) e = e.cause;
  if (e instanceof ApplicationFailure) return `${e.type ?? 'Error'}: ${e.message}`;
  return e instanceof Error ? e.message : String(e);
}

function isNonRetryable(err: unknown): boolean {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  return cause instanceof ApplicationFailure && cause.nonRetryable === true;
}

export class Saga {
  private entries: Entry[] = [];
  private outcome: CompensationOutcome | undefined;
  private live: SagaLedger = { phase: 'running', entries: [] };

  constructor(private readonly options: SagaOptions = {}) {}

  /** Registers a compensation; call it before the step whose effect it undoes. */
  register(spec: CompensationSpec): void {
    const live: LedgerEntry = {
      actionType: spec.actionType,
      resourceId: spec.resourceId,
      description: spec.description ?? '',
      priority: spec.priority,
      status: 'pending',
      attempts: 0,
      durationMs: 0,
      error: null,
    };
    this.entries.push({ ...spec, seq: this.entries.length, live });
    this.live.entries.push(live);
    this.changed();
  }

  /** The operation completed: nothing is to be undone (the seed's mark_completed). */
  clear(): void {
    this.entries = [];
    this.live = { phase: 'done', entries: [] };
    this.changed();
  }

  /** A copy of the live ledger: registration order until compensation starts, then execution order. */
  ledger(): SagaLedger {
    return { phase: this.live.phase, entries: this.live.entries.map((e) => ({ ...e })) };
  }

  private changed(): void {
    this.options.onChange?.(this.ledger());
  }

  get size(): number {
    return this.entries.length;
  }

  /** Runs every registered compensation once; calling it again returns the same outcome. */
  async compensate(): Promise<CompensationOutcome> {
    if (this.outcome) return this.outcome;
    const entries = this.entries;
    this.entries = [];
    // Shown in the order they will run, so the ledger reads top to bottom.
    this.live = {
      phase: 'compensating',
      entries: priorityGroups(entries)
        .flat()
        .map((e) => e.live),
    };
    this.changed();
    const records: CompensationRecord[] = [];
    await CancellationScope.nonCancellable(async () => {
      for (const group of priorityGroups(entries)) {
        if (this.options.parallelEqualPriority && group.length > 1) {
          records.push(...(await Promise.all(group.map((e) => this.run(e)))));
        } else {
          for (const entry of group) records.push(await this.run(entry));
        }
      }
    });
    this.outcome = outcomeOf(records);
    this.live.phase = 'done';
    this.changed();
    return this.outcome;
  }

  private async run(entry: Entry): Promise<CompensationRecord> {
    const maxAttempts = entry.retry?.maximumAttempts ?? 3;
    const policy = {
      initialIntervalMs: entry.retry?.initialIntervalMs ?? 1000,
      backoffCoefficient: entry.retry?.backoffCoefficient ?? 2,
      maximumIntervalMs: entry.retry?.maximumIntervalMs ?? 30_000,
    };
    const what = `compensate ${entry.actionType} (priority ${entry.priority})`;
    const started = Date.now();
    let lastError: string | null = null;
    entry.live.status = 'running';
    this.changed();
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      if (attempt > 1)
        await sleep(backoffMs(attempt, policy), {
          summary: `back off before ${entry.actionType} attempt ${attempt}/${maxAttempts}`,
        });
      // One attempt per activity call: the engine owns the retry loop so it can count attempts.
      const activities = proxyActivities<Record<string, (...args: unknown[]) => Promise<unknown>>>({
        startToCloseTimeout: entry.startToCloseTimeout ?? '30 seconds',
        retry: { maximumAttempts: 1 },
        summary: attempt > 1 ? `${what} attempt ${attempt}/${maxAttempts}` : what,
      });
      entry.live.attempts = attempt;
      this.changed();
      try {
        const result = await activities[entry.activity]!(...entry.args);
        const skipped =
          typeof result === 'object' &&
          result !== null &&
          (result as NothingToUndo).skipped === true;
        return this.record(entry, skipped ? 'skipped' : 'succeeded', attempt, started, null);
      } catch (err) {
        lastError = errorMessage(err);
        log.warn('compensation attempt failed', {
          actionType: entry.actionType,
          resourceId: entry.resourceId,
          attempt,
          error: lastError,
        });
        if (isNonRetryable(err)) return this.record(entry, 'failed', attempt, started, lastError);
      }
    }
    return this.record(entry, 'failed', maxAttempts, started, lastError);
  }

  private record(
    entry: Entry,
    status: CompensationRecord['status'],
    attempts: number,
    started: number,
    error: string | null,
  ): CompensationRecord {
    const durationMs = Date.now() - started;
    Object.assign(entry.live, { status, attempts, durationMs, error });
    this.changed();
    count('ratchet_saga_compensations_total', { action_type: entry.actionType, outcome: status });
    observe('ratchet_saga_compensation_duration_seconds', durationMs / 1000, {
      action_type: entry.actionType,
      outcome: status,
    });
    return {
      actionType: entry.actionType,
      resourceId: entry.resourceId,
      description: entry.description ?? '',
      priority: entry.priority,
      status,
      attempts,
      durationMs,
      error,
    };
  }
}
