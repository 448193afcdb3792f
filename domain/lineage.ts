/**
 * Pure lineage logic: checkpoint ids, version numbering, the rollback-target
 * walk, and the git-log-like / Graphviz renderings. No I/O, so workflows can
 * call it too.
 */
import type { VersionRecord, VersionStatus } from './versions';

/** `<moduleId>@<version>`. */
export function checkpointIdOf(moduleId: string, version: string): string {
  return `${moduleId}@${version}`;
}

/** Splits `<moduleId>@<version>`; null when it is not one. */
export function parseCheckpointId(id: string): { moduleId: string; version: string } | null {
  const m = /^([A-Za-z0-9][A-Za-z0-9._-]{0,63})@(v[1-9][0-9]*)$/.exec(id);
  return m ? { moduleId: m[1]!, version: m[2]! } : null;
}

/** The number in `vN`, or NaN. */
export function versionNumber(version: string): number {
  const m = /^v([1-9][0-9]*)$/.exec(version);
  return m ? Number(m[1]) : Number.NaN;
}

/** Statuses a rollback may land on: anything else was judged unsafe (or not yet judged). */
const SAFE_STATUSES: ReadonlySet<VersionStatus> = new Set(['active', 'accepted']);

export interface RollbackTargetOptions {
  /** Walk back from this version's parent; default: the active version. */
  from?: string;
  /** Only versions carrying this tag (e.g. `stable`). */
  tag?: string;
  /** Versions already tried (a cascading rollback passes what failed). */
  exclude?: string[];
}

/**
 * THE rule for which versions a rollback may land on — used by the rollback
 * target walk, recovery to known-good, the manual-rollback validator and
 * stable tagging alike: active or accepted, not failed verification, not pruned.
 */
export function isSafeTarget(v: VersionRecord, tag?: string, exclude?: readonly string[]): boolean {
  return (
    SAFE_STATUSES.has(v.status) &&
    v.verified !== false &&
    v.pruned !== true &&
    (tag === undefined || v.tags.includes(tag)) &&
    !(exclude ?? []).includes(v.version)
  );
}

/** Why `v` may not be rolled back to, or null when it may (the operator-facing form of isSafeTarget). */
export function unsafeTargetReason(v: VersionRecord): string | null {
  if (isSafeTarget(v)) return null;
  if (v.pruned === true) return `${v.version} is pruned`;
  if (v.verified === false) return `${v.version} failed verification`;
  return `${v.version} is ${v.status}`;
}

export function activeVersion(versions: readonly VersionRecord[]): VersionRecord | undefined {
  return versions.find((v) => v.status === 'active');
}

/** The parent chain of `version` (excluded), nearest first; stops at a missing parent or a cycle. */
export function ancestorsOf(versions: readonly VersionRecord[], version: string): VersionRecord[] {
  const byVersion = new Map(versions.map((v) => [v.version, v]));
  const chain: VersionRecord[] = [];
  const seen = new Set<string>([version]);
  let parent = byVersion.get(version)?.parentVersion ?? null;
  while (parent !== null && !seen.has(parent)) {
    seen.add(parent);
    const record = byVersion.get(parent);
    if (!record) break;
    chain.push(record);
    parent = record.parentVersion;
  }
  return chain;
}

/**
 * The nearest safe version behind `from` (default: the active version) along
 * parents only — siblings on other branches are never candidates. Skips
 * rolled-back, quarantined, rejected, pending, unverified and pruned versions,
 * and `exclude`; with `tag`, only versions carrying it. Null when none.
 */
export function rollbackTarget(
  versions: readonly VersionRecord[],
  options: RollbackTargetOptions = {},
): VersionRecord | null {
  const from = options.from ?? activeVersion(versions)?.version;
  if (from === undefined) return null;
  return (
    ancestorsOf(versions, from).find((v) => isSafeTarget(v, options.tag, options.exclude)) ?? null
  );
}

/** Every target a cascading rollback would try, in order (each call's answer is the next `from`). */
export function rollbackChain(
  versions: readonly VersionRecord[],
  options: RollbackTargetOptions = {},
): VersionRecord[] {
  const chain: VersionRecord[] = [];
  let target = rollbackTarget(versions, options);
  while (target) {
    chain.push(target);
    target = rollbackTarget(versions, { ...options, from: target.version });
  }
  return chain;
}

function describe(v: VersionRecord): string {
  const flags = [v.status, ...v.tags.map((t) => `tag: ${t}`), ...(v.pruned ? ['pruned'] : [])];
  return `(${flags.join(', ')})`;
}

/** `git log`-like text, newest first. */
export function renderLineageText(versions: readonly VersionRecord[]): string {
  const sorted = [...versions].sort((a, b) => versionNumber(b.version) - versionNumber(a.version));
  return sorted
    .map((v) =>
      [
        `version ${v.checkpointId} ${describe(v)}`,
        `Parent:   ${v.parentVersion ?? '-'}`,
        `Date:     ${v.timestamp}`,
        `Checksum: ${v.checksum}`,
      ].join('\n'),
    )
    .join('\n\n');
}

const STATUS_COLORS: Record<VersionStatus, string> = {
  active: 'palegreen',
  accepted: 'lightblue',
  rejected: 'lightpink',
  rolled_back: 'orange',
  reverted: 'sandybrown',
  quarantined: 'red',
  pending_approval: 'khaki',
};

/** Graphviz: one node per version (status colour, tags), edges parent → child. */
export function renderLineageDot(moduleId: string, versions: readonly VersionRecord[]): string {
  const q = (s: string) => JSON.stringify(s);
  const lines = [`digraph ${q(moduleId)} {`, '  rankdir=LR;', '  node [shape=box, style=filled];'];
  for (const v of versions) {
    const label = [v.version, v.status, ...v.tags, ...(v.pruned ? ['(pruned)'] : [])].join('\\n');
    lines.push(
      `  ${q(v.version)} [label="${label}", fillcolor=${STATUS_COLORS[v.status]}${v.pruned ? ', style="filled,dashed"' : ''}];`,
    );
  }
  for (const v of versions) {
    if (v.parentVersion !== null) lines.push(`  ${q(v.parentVersion)} -> ${q(v.version)};`);
  }
  lines.push('}');
  return lines.join('\n');
}

/** Generations in the lineage: the longest parent chain, the version itself included (0 when empty). */
export function lineageDepth(versions: readonly VersionRecord[]): number {
  let deepest = 0;
  for (const v of versions)
    deepest = Math.max(deepest, ancestorsOf(versions, v.version).length + 1);
  return deepest;
}
