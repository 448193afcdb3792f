/**
 * The cycle's event log: typed events numbered from 1 across continue-as-new,
 * a bounded tail in workflow state, everything in the durable log under the
 * data dir (appendEventLog), and best-effort sinks fed from that log, each
 * with its own cursor. A sink that fails is retried later with backoff and
 * shows up as lag in status and one SINK_DELIVERY_FAILED event per outage;
 * it never fails or blocks the cycle.
 */
import type { EventSinks } from '../../domain/evolution/config';
import type { EvolutionEvent, EvolutionEventType } from '../../domain/evolution/events';
import { eventLog, sinks } from './activities';

/** Events kept in workflow state (and carried over continue-as-new). */
export const EVENT_TAIL = 100;
/** Even while the durable log is failing, no more than this stays in state. */
const UNLOGGED_CAP = 1_000;
/** Longest wait between two tries of a failing sink. */
const MAX_BACKOFF_MS = 5 * 60_000;

export type SinkName = 'jsonl' | 'webhook';

export interface SinkCursor {
  /** Last seq the sink confirmed. */
  deliveredSeq: number;
  /** Failed tries in the current outage (0 when healthy). */
  failures: number;
  /** Workflow time (ms) before which no new try starts. */
  retryAtMs: number;
  lastError: string | null;
}

/** What survives continue-as-new. */
export interface EventLogState {
  tail: EvolutionEvent[];
  seq: number;
  /** Last seq in the durable log. */
  loggedSeq: number;
  /** The durable log's own outage (the data dir failing), like a sink's. */
  log?: SinkCursor;
  cursors: Partial<Record<SinkName, SinkCursor>>;
}

export interface SinkStatus {
  deliveredSeq: number;
  /** Events the sink has not confirmed yet. */
  lag: number;
  failures: number;
  lastError: string | null;
}

function newCursor(): SinkCursor {
  return { deliveredSeq: 0, failures: 0, retryAtMs: 0, lastError: null };
}

function errorText(err: unknown): string {
  const cause = (err as { cause?: { message?: string } }).cause;
  return cause?.message ?? (err instanceof Error ? err.message : String(err));
}

export class EventLog {
  private readonly state: EventLogState;
  private readonly inflight = new Map<SinkName, Promise<void>>();

  constructor(
    private readonly moduleId: string,
    private readonly cycleId: string,
    private readonly config: EventSinks,
    carried?: EventLogState,
  ) {
    this.state = carried ?? { tail: [], seq: 0, loggedSeq: 0, cursors: {} };
    for (const name of this.sinkNames()) this.state.cursors[name] ??= newCursor();
  }

  get seq(): number {
    return this.state.seq;
  }

  emit(
    type: EvolutionEventType,
    data: Record<string, unknown>,
    iteration: number | null,
    at?: string,
  ): void {
    this.state.tail.push({
      seq: ++this.state.seq,
      type,
      at: at ?? new Date().toISOString(),
      moduleId: this.moduleId,
      iteration,
      data,
    });
    // Trim, but never drop what the durable log has not taken yet (up to a hard cap).
    const keepFrom = Math.max(
      Math.min(this.state.seq - EVENT_TAIL, this.state.loggedSeq),
      this.state.seq - UNLOGGED_CAP,
    );
    if (this.state.tail.length > EVENT_TAIL && this.state.tail[0]!.seq <= keepFrom) {
      this.state.tail = this.state.tail.filter((e) => e.seq > keepFrom);
    }
  }

  /** The tail after `sinceSeq` (older events are in the durable log). */
  since(sinceSeq = 0): EvolutionEvent[] {
    return this.state.tail.filter((e) => e.seq > sinceSeq);
  }

  /**
   * Appends new events to the durable log, then starts each sink's delivery
   * without waiting. A failing data dir is reported like a sink (the events
   * stay in state and are appended later), never thrown at the cycle.
   */
  async flush(): Promise<void> {
    const batch = this.since(this.state.loggedSeq);
    if (batch.length) {
      const cursor = (this.state.log ??= newCursor());
      try {
        const { lastSeq } = await eventLog.appendEventLog({
          moduleId: this.moduleId,
          cycleId: this.cycleId,
          events: batch,
        });
        this.state.loggedSeq = Math.max(this.state.loggedSeq, lastSeq);
        cursor.failures = 0;
        cursor.lastError = null;
      } catch (err) {
        cursor.failures++;
        cursor.lastError = errorText(err);
        if (cursor.failures === 1) {
          this.emit('SINK_DELIVERY_FAILED', { sink: 'log', error: cursor.lastError }, null);
        }
      }
      cursor.deliveredSeq = this.state.loggedSeq;
    }
    for (const name of this.sinkNames()) this.deliver(name, false);
  }

  /** Before the cycle ends or continues as new: one more try for each lagging sink, awaited. */
  async drain(): Promise<void> {
    await this.flush();
    await Promise.all([...this.inflight.values()]);
    // A sink takes at most a batch per delivery: keep going while it makes progress.
    for (let round = 0; round < 20; round++) {
      const before = this.sinkNames().map((n) => this.state.cursors[n]!.deliveredSeq);
      for (const name of this.sinkNames()) this.deliver(name, true);
      await Promise.all([...this.inflight.values()]);
      await this.flush(); // events about delivery itself
      await Promise.all([...this.inflight.values()]);
      const after = this.sinkNames().map((n) => this.state.cursors[n]!.deliveredSeq);
      const lagging = this.sinkNames().some(
        (n) => this.state.cursors[n]!.deliveredSeq < this.state.loggedSeq,
      );
      if (!lagging || after.every((seq, i) => seq === before[i])) return;
    }
  }

  status(): Partial<Record<SinkName | 'log', SinkStatus>> {
    const out: Partial<Record<SinkName | 'log', SinkStatus>> = {
      log: {
        deliveredSeq: this.state.loggedSeq,
        lag: this.state.seq - this.state.loggedSeq,
        failures: this.state.log?.failures ?? 0,
        lastError: this.state.log?.lastError ?? null,
      },
    };
    for (const name of this.sinkNames()) {
      const c = this.state.cursors[name]!;
      out[name] = {
        deliveredSeq: c.deliveredSeq,
        lag: this.state.seq - c.deliveredSeq,
        failures: c.failures,
        lastError: c.lastError,
      };
    }
    return out;
  }

  /** A copy to carry over continue-as-new: the tail, bounded. */
  carry(): EventLogState {
    return { ...this.state, tail: this.state.tail.slice(-EVENT_TAIL) };
  }

  private sinkNames(): SinkName[] {
    return (['jsonl', 'webhook'] as const).filter((n) => this.config[n] !== undefined);
  }

  private deliver(name: SinkName, ignoreBackoff: boolean): void {
    const cursor = this.state.cursors[name]!;
    if (this.inflight.has(name) || cursor.deliveredSeq >= this.state.loggedSeq) return;
    if (!ignoreBackoff && Date.now() < cursor.retryAtMs) return;
    const types = this.config.types;
    const sink =
      name === 'jsonl'
        ? { kind: 'jsonl' as const, path: this.config.jsonl!, types }
        : { kind: 'webhook' as const, url: this.config.webhook!, types };
    const attempt = sinks
      .deliverEvents({
        moduleId: this.moduleId,
        cycleId: this.cycleId,
        afterSeq: cursor.deliveredSeq,
        sink,
      })
      .then(
        ({ deliveredSeq }) => {
          if (cursor.failures > 0) {
            this.emit('SINK_DELIVERY_RECOVERED', { sink: name, after: cursor.failures }, null);
          }
          cursor.deliveredSeq = Math.max(cursor.deliveredSeq, deliveredSeq);
          cursor.failures = 0;
          cursor.retryAtMs = 0;
          cursor.lastError = null;
        },
        (err: unknown) => {
          cursor.failures++;
          cursor.lastError = errorText(err);
          cursor.retryAtMs = Date.now() + Math.min(MAX_BACKOFF_MS, 2_000 * 2 ** cursor.failures);
          if (cursor.failures === 1) {
            this.emit(
              'SINK_DELIVERY_FAILED',
              { sink: name, error: cursor.lastError, lag: this.state.seq - cursor.deliveredSeq },
              null,
            );
          }
        },
      )
      .finally(() => this.inflight.delete(name));
    this.inflight.set(name, attempt);
  }
}
