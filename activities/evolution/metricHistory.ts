/**
 * Metric history per module, across cycles: one JSON line per evaluated
 * candidate in `<dataDir>/evolution/<moduleId>/metrics.history.jsonl`,
 * appended by the event-log activity from each EVALUATION_COMPLETED event
 * (so nothing in the workflow changes). It holds the tests and gates the
 * candidate was judged on, and the metric values when the event carries them
 * (`metricValues`; until then only their names). `ratchet versions show`
 * reads it; loadJudgeHistory turns it into the judge's history of accepted
 * versions, so z-score/IQR/trend can see past the current cycle.
 */
import { createReadStream, existsSync } from 'node:fs';
import { appendFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { z } from 'zod';
import type { EvolutionEvent } from '../../domain/evolution/events';
import { scalar } from '../../domain/judge';
import { MetricReading } from '../../domain/judge/metrics';
import { ModuleId } from '../../domain/versions';
import { CheckpointStore, listCheckpoints } from '../checkpoints';
import { getLineage } from '../checkpoints/lineage';

export const MetricHistoryEntry = z.object({
  moduleId: z.string(),
  cycleId: z.string(),
  iteration: z.number().int().nullable(),
  /** The event's seq in the cycle's log. */
  seq: z.number().int(),
  at: z.string(),
  /** The candidate's version, when the store could tell (null: not found). */
  version: z.string().nullable(),
  testsPassed: z.boolean().nullable(),
  failedGates: z.array(z.string()),
  /** The failure reason code, null when the evaluation passed. */
  failure: z.string().nullable(),
  metricNames: z.array(z.string()),
  /** Metric name → value or samples; empty when the event named the metrics only. */
  metrics: z.record(z.string(), MetricReading),
  testOutput: z.string().optional(),
});
export type MetricHistoryEntry = z.infer<typeof MetricHistoryEntry>;

export function metricHistoryFile(dataDir: string, moduleId: string): string {
  return path.join(dataDir, 'evolution', ModuleId.parse(moduleId), 'metrics.history.jsonl');
}

const strings = (v: unknown): string[] =>
  Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];

/** Only well-formed readings are kept: a candidate's metrics command is not trusted. */
function readings(v: unknown): Record<string, number | number[]> {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return {};
  const out: Record<string, number | number[]> = {};
  for (const [k, x] of Object.entries(v)) {
    const r = MetricReading.safeParse(x);
    if (r.success) out[k] = r.data;
  }
  return out;
}

/** The candidate an evaluation judged: named by the event, else the newest checkpoint of that iteration. */
async function candidateVersion(
  store: CheckpointStore,
  moduleId: string,
  event: EvolutionEvent,
): Promise<string | null> {
  if (typeof event.data.version === 'string') return event.data.version;
  if (event.iteration === null) return null;
  const checkpoints = await listCheckpoints(store, moduleId);
  const match = checkpoints.find(
    (c) => c.metadata.iteration === event.iteration && c.metadata.candidate !== undefined,
  );
  return match?.version ?? null;
}

export async function recordMetricHistory(
  dataDir: string,
  input: { moduleId: string; cycleId: string },
  events: readonly EvolutionEvent[],
): Promise<number> {
  const evaluations = events.filter((e) => e.type === 'EVALUATION_COMPLETED');
  if (!evaluations.length) return 0;
  const store = new CheckpointStore(dataDir);
  const lines: string[] = [];
  for (const e of evaluations) {
    const metrics = readings(e.data.metricValues);
    const entry: MetricHistoryEntry = {
      moduleId: input.moduleId,
      cycleId: input.cycleId,
      iteration: e.iteration,
      seq: e.seq,
      at: e.at,
      version: await candidateVersion(store, input.moduleId, e),
      testsPassed: typeof e.data.testsPassed === 'boolean' ? e.data.testsPassed : null,
      failedGates: strings(e.data.failedGates),
      failure: typeof e.data.failure === 'string' ? e.data.failure : null,
      metricNames: [...new Set([...strings(e.data.metrics), ...Object.keys(metrics)])],
      metrics,
      ...(typeof e.data.testOutput === 'string' ? { testOutput: e.data.testOutput } : {}),
    };
    lines.push(`${JSON.stringify(entry)}\n`);
  }
  const file = metricHistoryFile(dataDir, input.moduleId);
  await mkdir(path.dirname(file), { recursive: true });
  await appendFile(file, lines.join(''));
  return lines.length;
}

/** Every entry, oldest first; malformed lines (a crash mid-append, a hand edit) are skipped. */
export async function readMetricHistory(
  dataDir: string,
  moduleId: string,
): Promise<MetricHistoryEntry[]> {
  const file = metricHistoryFile(dataDir, moduleId);
  if (!existsSync(file)) return [];
  const out: MetricHistoryEntry[] = [];
  const lines = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity });
  for await (const line of lines) {
    if (!line.trim()) continue;
    try {
      const parsed = MetricHistoryEntry.safeParse(JSON.parse(line));
      if (parsed.success) out.push(parsed.data);
    } catch {
      // a cut line
    }
  }
  return out;
}

/**
 * The judge's history (one scalar per metric for each accepted version, oldest
 * first, at most `limit`) from every cycle the module has run: what the cycle
 * would load at its start to judge against more than its own run.
 */
export async function loadJudgeHistory(
  dataDir: string,
  input: { moduleId: string; limit?: number },
): Promise<Array<Record<string, number>>> {
  const lineage = await getLineage(new CheckpointStore(dataDir), input.moduleId);
  const kept = new Set(
    lineage.filter((v) => v.status === 'accepted' || v.status === 'active').map((v) => v.version),
  );
  const entries = (await readMetricHistory(dataDir, input.moduleId)).filter(
    (e) => e.version !== null && kept.has(e.version) && Object.keys(e.metrics).length > 0,
  );
  return entries
    .slice(-(input.limit ?? 50))
    .map((e) => Object.fromEntries(Object.entries(e.metrics).map(([k, v]) => [k, scalar(v)])));
}
