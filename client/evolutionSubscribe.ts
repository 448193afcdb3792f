/**
 * The seeds' `@subscribe(EventType.ROLLBACK_COMPLETED)` for client code: a
 * handler called for each event of the chosen types (or globs), in order,
 * once each, until the cycle closes or `stop()`.
 *
 *   const sub = subscribeEvolutionEvents(client, id, 'ROLLBACK_COMPLETED', (e) =>
 *     console.log(e.data.version_id, e.data.verification_passed), { dataDir });
 *   await sub.done;
 */
import type { Client } from '@temporalio/client';
import { z } from 'zod';
import { EventTypePattern } from '../domain/evolution/eventFilter';
import type { EvolutionEvent } from '../domain/evolution/events';
import { evolutionEventLog, evolutionHandle } from './evolution';

export interface EvolutionSubscription {
  /** Resolves when the cycle has closed and every event was handled; rejects if a handler throws. */
  done: Promise<void>;
  /** Stops polling (after the handler in flight) and waits for it. */
  stop(): Promise<void>;
}

export function subscribeEvolutionEvents(
  client: Client,
  workflowId: string,
  types: string | readonly string[],
  handler: (event: EvolutionEvent) => void | Promise<void>,
  options: {
    /** The worker's data dir: events come from the durable log, so none is missed. */
    dataDir: string;
    sinceSeq?: number;
    pollMs?: number;
  },
): EvolutionSubscription {
  const patterns = z
    .array(EventTypePattern)
    .min(1)
    .parse(typeof types === 'string' ? [types] : types);
  let stopped = false;
  let seq = options.sinceSeq ?? 0;
  let wake: () => void = () => undefined;
  const pause = () =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, options.pollMs ?? 500);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  const closed = async () =>
    (await evolutionHandle(client, workflowId).describe()).status.name !== 'RUNNING';
  const done = (async () => {
    while (!stopped) {
      // Closed is read before the last read, so events written before the close are not lost.
      const wasClosed = await closed().catch(() => false);
      let events: EvolutionEvent[] = [];
      try {
        events = await evolutionEventLog(client, workflowId, {
          dataDir: options.dataDir,
          sinceSeq: seq,
          types: patterns,
        });
      } catch (err) {
        if (err instanceof Error && err.name === 'WorkflowNotFoundError') throw err;
        // between runs (continue-as-new) or no worker to answer the query: try again
      }
      for (const event of events) {
        if (stopped) return;
        seq = event.seq;
        await handler(event); // a throwing handler ends the subscription: `done` rejects
      }
      if (wasClosed) return;
      await pause();
    }
  })();
  return {
    done,
    stop: async () => {
      stopped = true;
      wake();
      await done.catch(() => undefined);
    },
  };
}
