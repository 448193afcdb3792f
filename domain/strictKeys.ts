/**
 * Unknown keys are refused, and the refusal names the nearest known key: a
 * misspelt setting must not be dropped silently. Works on zod 4 schemas
 * declared `.strict()`, by walking the schema to the object an issue is about.
 *
 *   formatIssue(Settings, issue) // 'temporal.adress: unknown key; did you mean "address"?'
 */
import type { z } from 'zod';

/** Levenshtein distance (small strings: config keys). */
export function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length]!;
}

/** The known key closest to `key`, if any is close enough to be a typo (or differs only in case). */
export function nearestKey(key: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const k of known) {
    const d = k.toLowerCase() === key.toLowerCase() ? 0 : editDistance(key, k);
    if (d < bestDistance) [best, bestDistance] = [k, d];
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(key.length / 3))
    ? best
    : undefined;
}

interface Def {
  type?: string;
  shape?: Record<string, unknown>;
  innerType?: unknown;
  element?: unknown;
  in?: unknown;
  valueType?: unknown;
  options?: unknown[];
}
const defOf = (schema: unknown): Def => (schema as { _zod?: { def?: Def } })?._zod?.def ?? {};

/** The keys an object schema accepts at `path` (through optional, default, arrays, records). */
export function knownKeysAt(schema: unknown, path: readonly PropertyKey[]): string[] {
  let node: unknown = schema;
  const unwrap = () => {
    for (let i = 0; i < 20; i++) {
      const d = defOf(node);
      if (d.innerType) node = d.innerType;
      else if (d.type === 'pipe' && d.in) node = d.in;
      else return;
    }
  };
  for (const key of path) {
    unwrap();
    const d = defOf(node);
    if (d.type === 'object' && d.shape) node = d.shape[String(key)];
    else if (d.type === 'array') node = d.element;
    else if (d.type === 'record') node = d.valueType;
    else return [];
  }
  unwrap();
  const d = defOf(node);
  if (d.type === 'object' && d.shape) return Object.keys(d.shape);
  if (d.type === 'union' && d.options) {
    return [...new Set(d.options.flatMap((o) => knownKeysAt(o, [])))];
  }
  return [];
}

export interface NamedIssue {
  /** The dotted path of the offending field ('(root)' for the whole input). */
  field: string;
  message: string;
}

/** One issue as "field: message"; an unknown key is named and given its nearest known key. */
export function namedIssues(schema: unknown, issue: z.core.$ZodIssue): NamedIssue[] {
  const at = issue.path.map(String);
  if (issue.code === 'unrecognized_keys') {
    const known = knownKeysAt(schema, issue.path);
    return issue.keys.map((key) => {
      const near = nearestKey(key, known);
      return {
        field: [...at, key].join('.'),
        message: `unknown key${near ? `; did you mean "${near}"?` : known.length ? `; known keys: ${known.join(', ')}` : ''}`,
      };
    });
  }
  return [{ field: at.join('.') || '(root)', message: issue.message }];
}

/** Every issue of a failed parse as "field: message" lines. */
export function issueLines(schema: unknown, error: z.ZodError): string[] {
  return error.issues.flatMap((i) => namedIssues(schema, i)).map((n) => `${n.field}: ${n.message}`);
}

/**
 * Unknown keys anywhere in `input`, as zod `unrecognized_keys` issues, judged
 * against the keys `schema` declares at each place (knownKeysAt). For schemas
 * whose objects are not declared `.strict()` (e.g. one several modules add
 * keys to): strictness follows the schema, so a key added to it is accepted
 * with no second list to keep. Places where the schema has no object shape
 * (a free-form record, a scalar) are not judged.
 *
 *   unknownKeyIssues(EvolutionConfig, { serve: {} }) // [{ code: 'unrecognized_keys', keys: ['serve'], path: [] }]
 */
export function unknownKeyIssues(schema: unknown, input: unknown): z.core.$ZodIssue[] {
  const issues: z.core.$ZodIssue[] = [];
  const walk = (value: unknown, at: PropertyKey[]) => {
    if (Array.isArray(value)) {
      value.forEach((v, i) => walk(v, [...at, i]));
      return;
    }
    if (value === null || typeof value !== 'object') return;
    const known = knownKeysAt(schema, at);
    const keys = Object.keys(value);
    if (known.length) {
      const unknown = keys.filter((k) => !known.includes(k));
      if (unknown.length) {
        issues.push({
          code: 'unrecognized_keys',
          keys: unknown,
          path: at,
          message: `Unrecognized key(s): ${unknown.join(', ')}`,
          input: value,
        } as z.core.$ZodIssue);
      }
    }
    for (const k of keys) {
      if (!known.length || known.includes(k))
        walk((value as Record<string, unknown>)[k], [...at, k]);
    }
  };
  walk(input, []);
  return issues;
}
