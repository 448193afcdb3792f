/** Choosing where failure recovery goes when a cascading rollback is exhausted. */
import { isSafeTarget, versionNumber } from '../lineage';
import type { VersionRecord } from '../versions';

/** The newest version tagged `stable` that is a safe target (see isSafeTarget) and not already tried. */
export function knownGoodVersion(
  lineage: readonly VersionRecord[],
  exclude: readonly string[],
  tag = 'stable',
): VersionRecord | undefined {
  const candidates = lineage.filter((v) => isSafeTarget(v, tag, exclude));
  return candidates.sort((a, b) => versionNumber(b.version) - versionNumber(a.version))[0];
}

/**
 * The seeds' `_find_known_good_versions()`: every safe version tagged `tag`
 * not already tried, newest first, at most `limit` — failure recovery tries
 * them in this order, so one corrupt stable checkpoint does not end it.
 * `knownGoodVersion` is this list's head.
 */
export function knownGoodVersions(
  lineage: readonly VersionRecord[],
  exclude: readonly string[],
  options: { limit?: number; tag?: string } = {},
): VersionRecord[] {
  const { limit = 3, tag = 'stable' } = options;
  return lineage
    .filter((v) => isSafeTarget(v, tag, exclude))
    .sort((a, b) => versionNumber(b.version) - versionNumber(a.version))
    .slice(0, Math.max(0, limit));
}
