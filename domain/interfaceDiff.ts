/**
 * Comparing two public interfaces (export name → signature text) and grading
 * the difference. Pure: the extraction (TypeScript compiler API or a user's
 * interface command) happens in activities/.
 */
import type { CompatibilityLevel } from './versions';

/** Name → signature; null when there was no interface information. */
export type PublicInterface = Record<string, string> | null;

export interface InterfaceDiff {
  level: CompatibilityLevel;
  added: string[];
  removed: string[];
  changed: string[];
  rationale: string[];
}

/**
 * Removed or changed → BREAKING (any signature change counts: callers were
 * written against the old text), only additions → MINOR_CHANGE, identical →
 * COMPATIBLE, no information on either side → UNKNOWN.
 */
export function diffInterfaces(
  from: PublicInterface,
  to: PublicInterface,
  unknownReason = 'no interface information',
): InterfaceDiff {
  if (from === null || to === null) {
    return { level: 'UNKNOWN', added: [], removed: [], changed: [], rationale: [unknownReason] };
  }
  const names = [...new Set([...Object.keys(from), ...Object.keys(to)])].sort();
  const added = names.filter((n) => !(n in from));
  const removed = names.filter((n) => !(n in to));
  const changed = names.filter((n) => n in from && n in to && from[n] !== to[n]);
  const rationale = [
    ...removed.map((n) => `removed ${n}: ${from[n]}`),
    ...changed.map((n) => `changed ${n}: ${from[n]} → ${to[n]}`),
    ...added.map((n) => `added ${n}: ${to[n]}`),
  ];
  const level: CompatibilityLevel =
    removed.length || changed.length ? 'BREAKING' : added.length ? 'MINOR_CHANGE' : 'COMPATIBLE';
  if (level === 'COMPATIBLE')
    rationale.push(`public interface unchanged (${names.length} exports)`);
  return { level, added, removed, changed, rationale };
}

/** An interface command's output: each non-empty line is one item, keyed by itself. */
export function interfaceFromLines(output: string): Record<string, string> {
  const items: Record<string, string> = {};
  for (const line of output.split('\n').map((l) => l.trim())) if (line) items[line] = line;
  return items;
}
