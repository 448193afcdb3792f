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
