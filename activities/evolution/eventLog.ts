/**
 * The durable event log of a cycle: one JSONL file per cycle under
 * `<dataDir>/evolution/<moduleId>/`, appended by the workflow's event
 * activity. The workflow keeps only a bounded tail; this file keeps all of
 * it, and the sinks (a user's JSONL file, a webhook) are fed from it, each
 * from its own cursor, so a sink that was down gets what it missed in order.
 */
import { createReadStream, existsSync } from 'node:fs';
import { appendFile, mkdir, open } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { ApplicationFailure, log } from '@temporalio/activity';
import { eventTypeFilter } from '../../domain/evolution/eventFilter';
import { withSeedKeys, type EvolutionEvent } from '../../domain/evolution/events';
import { ModuleId } from '../../domain/versions';
import { recordMetricHistory } from './metricHistory';

/** Workflow ids are what the CLI prints; anything that could climb out of the dir is refused. */
const SAFE_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,200}$/;

export function eventLogFile(dataDir: string, moduleId: string, cycleId: string): string {
  if (!ModuleId.safeParse(moduleId).success || !SAFE_ID.test(cycleId)) {
    throw ApplicationFailure.create({
      type: 'InvalidEvolutionInput',
      message: `not a module id / cycle id usable as a file name: ${moduleId} / ${cycleId}`,
      nonRetryable: true,
    });
  }
  return path.join(dataDir, 'evolution', moduleId, `${cycleId}.events.jsonl`);
}

/** The seq of the last complete line (0 for none): appends are idempotent across retries. */
async function lastSeq(file: string): Promise<number> {
  if (!existsSync(file)) return 0;
  const handle = await open(file, 'r');
  try {
    const { size } = await handle.stat();
    const length = Math.min(size, 256 * 1024);
    const buf = Buffer.alloc(length);
    await handle.read(buf, 0, length, size - length);
    const lines = buf.toString('utf8').split('\n');
    for (let i = lines.length - 1; i >= 0; i--) {
      try {
        return (JSON.parse(lines[i]!) as EvolutionEvent).seq;
      } catch {
        // a partial line from a crash mid-append, or the cut at the window's start
      }
    }
    return 0;
  } finally {
    await handle.close();
  }
}

export async function appendEventLog(
  dataDir: string,
  input: { moduleId: string; cycleId: string; events: EvolutionEvent[] },
): Promise<{ lastSeq: number }> {
  const file = eventLogFile(dataDir, input.moduleId, input.cycleId);
  await mkdir(path.dirname(file), { recursive: true });
  const after = await lastSeq(file);
  const fresh = input.events.filter((e) => e.seq > after);
  for (const event of fresh) {
    log.info(event.type, { ...event.data, seq: event.seq, moduleId: event.moduleId });
  }
  if (fresh.length) {
    const lines = fresh.map((e) => `${JSON.stringify(withSeedKeys(e))}\n`);
    await appendFile(file, lines.join(''));
    // Derived data: a failure here must not make the workflow retry an append that is done.
    await recordMetricHistory(dataDir, input, fresh).catch((err: unknown) =>
      log.warn('metric history not recorded', { error: String(err), moduleId: input.moduleId }),
    );
  }
  return { lastSeq: fresh.at(-1)?.seq ?? after };
}

/** Events after `afterSeq` that `keep` selects, oldest first, at most `limit`. */
export async function readEventLog(
  file: string,
  afterSeq = 0,
  limit = Number.POSITIVE_INFINITY,
  keep: (event: EvolutionEvent) => boolean = () => true,
): Promise<EvolutionEvent[]> {
  if (!existsSync(file)) return [];
  const out: EvolutionEvent[] = [];
  const lines = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity });
  for await (const line of lines) {
    if (!line.trim()) continue;
    let event: EvolutionEvent;
    try {
      event = JSON.parse(line) as EvolutionEvent;
    } catch {
      continue; // a line cut by a crash; the next append starts a fresh one
    }
    if (event.seq <= afterSeq || !keep(event)) continue;
    out.push(event);
    if (out.length >= limit) {
      lines.close();
      break;
    }
  }
  return out;
}

export type EventSink = ({ kind: 'jsonl'; path: string } | { kind: 'webhook'; url: string }) & {
  /** Only events of these types (globs: `ROLLBACK_*`) are delivered; the cursor passes the rest. */
  types?: string[];
};

/**
 * Delivers what the durable log holds after `afterSeq` (up to `limit`) to one
 * sink; returns the new cursor. A webhook's 4xx is a failure like any other:
 * the cycle tries again later, with backoff.
 */
export async function deliverEvents(
  dataDir: string,
  input: { moduleId: string; cycleId: string; afterSeq: number; sink: EventSink; limit?: number },
): Promise<{ deliveredSeq: number }> {
  const file = eventLogFile(dataDir, input.moduleId, input.cycleId);
  const read = await readEventLog(file, input.afterSeq, input.limit ?? 500);
  if (!read.length) return { deliveredSeq: input.afterSeq };
  const events = read.filter(eventTypeFilter(input.sink.types));
  if (!events.length) return { deliveredSeq: read.at(-1)!.seq };
  if (input.sink.kind === 'jsonl') {
    await mkdir(path.dirname(input.sink.path), { recursive: true });
    await appendFile(input.sink.path, events.map((e) => `${JSON.stringify(e)}\n`).join(''));
  } else {
    const res = await fetch(input.sink.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ events }),
      signal: AbortSignal.timeout(10_000),
    });
    if (!res.ok) {
      throw ApplicationFailure.create({
        type: 'WebhookRejected',
        message: `webhook ${input.sink.url} answered ${res.status}`,
        nonRetryable:
          res.status >= 400 && res.status < 500 && res.status !== 408 && res.status !== 429,
      });
    }
  }
  return { deliveredSeq: read.at(-1)!.seq };
}
