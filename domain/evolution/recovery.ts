/** Choosing where failure recovery goes when a cascading rollback is exhausted. */
import { versionNumber } from '../lineage';
import type { VersionRecord } from '../versions';

const UNSAFE = new Set(['rolled_back', 'quarantined', 'rejected', 'pending_approval']);

/** The newest version tagged `stable` that is still safe and not already tried. */
export function knownGoodVersion(
  lineage: readonly VersionRecord[],
  exclude: readonly string[],
  tag = 'stable',
): VersionRecord | undefined {
  const candidates = lineage.filter(
    (v) => v.tags.includes(tag) && !UNSAFE.has(v.status) && !exclude.includes(v.version),
  );
  return candidates.sort((a, b) => versionNumber(b.version) - versionNumber(a.version))[0];
}
