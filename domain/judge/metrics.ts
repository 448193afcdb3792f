/**
 * What a metrics command prints: one JSON object mapping each metric name to
 * a number or an array of samples. Validated here with messages that say what
 * to fix — the command is the user's program, often a quick script, and
 * "Invalid input" would leave them guessing.
 */
import { z } from 'zod';

/** Why `value` is not a finite number, in words a script author can act on. */
function notANumber(value: unknown): string {
  if (value === null)
    return 'is null — JSON has no NaN or Infinity (JSON.stringify writes them as null): print a finite number or leave the metric out';
  if (typeof value === 'number') return `must be a finite number, got ${value}`;
  return `must be a number, got ${Array.isArray(value) ? 'an array' : typeof value}`;
}

function describeBadReading(value: unknown): string {
  if (Array.isArray(value)) {
    const i = value.findIndex((v) => typeof v !== 'number' || !Number.isFinite(v));
    if (i >= 0) return `sample ${i} ${notANumber(value[i])}`;
  }
  if (typeof value === 'object' && value !== null && !Array.isArray(value))
    return 'must be a number or an array of numbers, got an object';
  return notANumber(value);
}

const FiniteNumber = z.number().refine(Number.isFinite, 'must be a finite number');

/** One metric: a single value, or samples (e.g. 20 timings) for the Mann–Whitney test. */
export const MetricReading = z.union(
  [FiniteNumber, z.array(FiniteNumber).min(1, 'a sample array cannot be empty')],
  { error: (issue) => describeBadReading(issue.input) },
);
export type MetricReading = z.infer<typeof MetricReading>;

export const MetricsReport = z.record(
  z.string().min(1, 'a metric name cannot be empty'),
  MetricReading,
);
export type MetricsReport = z.infer<typeof MetricsReport>;

export type MetricsParse = { ok: true; metrics: MetricsReport } | { ok: false; error: string };

/** `{"a": NaN}` is what Python's json.dumps writes for float('nan'); JSON.parse rejects it. */
const NON_JSON_NUMBER = /(?<![\w"])-?(NaN|Infinity)(?![\w"])/;

/**
 * The report in a metrics command's stdout: the whole output if it is one
 * JSON object (pretty-printed is fine), else the last line that is a JSON
 * object, or the last run of lines from a `{` line to the end that is one —
 * so progress lines before (or after) the report are allowed.
 */
export function parseMetricsOutput(stdout: string): MetricsParse {
  const text = stdout.trim();
  const lines = text.split('\n');
  const chunks = [text];
  for (let i = lines.length - 1; i >= 0; i--) {
    if (!lines[i]!.trimStart().startsWith('{')) continue;
    chunks.push(lines[i]!, lines.slice(i).join('\n'));
  }
  let nonJsonNumber: string | null = null;
  for (const raw of chunks) {
    const chunk = raw.trim();
    if (!chunk.startsWith('{')) continue;
    let json: unknown;
    try {
      json = JSON.parse(chunk);
    } catch {
      nonJsonNumber ??= NON_JSON_NUMBER.exec(chunk)?.[0] ?? null;
      continue;
    }
    const parsed = MetricsReport.safeParse(json);
    if (parsed.success) return { ok: true, metrics: parsed.data };
    const issue = parsed.error.issues[0]!;
    const where = issue.path.length ? `metric ${issue.path.map(String).join('.')}` : 'the report';
    return { ok: false, error: `${where}: ${issue.message}` };
  }
  if (nonJsonNumber)
    return {
      ok: false,
      error: `the metrics output contains ${nonJsonNumber}, which is not JSON: print a finite number or leave the metric out`,
    };
  return {
    ok: false,
    error:
      'the metrics command printed no JSON object (expected e.g. {"execution_time": [12.1, 11.9]})',
  };
}
