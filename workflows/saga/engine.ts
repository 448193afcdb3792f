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
}

type Entry = CompensationSpec & { seq: number };

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

  constructor(private readonly options: SagaOptions = {}) {}

  /** Registers a compensation; call it before the step whose effect it undoes. */
  register(spec: CompensationSpec): void {
    this.entries.push({ ...spec, seq: this.entries.length });
  }

  /** The operation completed: nothing is to be undone (the seed's mark_completed). */
  clear(): void {
    this.entries = [];
  }

  get size(): number {
    return this.entries.length;
  }

  /** Runs every registered compensation once; calling it again returns the same outcome. */
  async compensate(): Promise<CompensationOutcome> {
    if (this.outcome) return this.outcome;
    const entries = this.entries;
    this.entries = [];
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
    return this.outcome;
  }

  private async run(entry: Entry): Promise<CompensationRecord> {
    const maxAttempts = entry.retry?.maximumAttempts ?? 3;
    const policy = {
      initialIntervalMs: entry.retry?.initialIntervalMs ?? 1000,
      backoffCoefficient: entry.retry?.backoffCoefficient ?? 2,
      maximumIntervalMs: entry.retry?.maximumIntervalMs ?? 30_000,
    };
    // One attempt per activity call: the engine owns the retry loop so it can count attempts.
    const activities = proxyActivities<Record<string, (...args: unknown[]) => Promise<unknown>>>({
      startToCloseTimeout: entry.startToCloseTimeout ?? '30 seconds',
      retry: { maximumAttempts: 1 },
    });
    const started = Date.now();
    let lastError: string | null = null;
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      if (attempt > 1) await sleep(backoffMs(attempt, policy));
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
    return {
      actionType: entry.actionType,
      resourceId: entry.resourceId,
      description: entry.description ?? '',
      priority: entry.priority,
      status,
      attempts,
      durationMs: Date.now() - started,
      error,
    };
  }
}
