/**
 * Which checkpoints a cleanup may remove: pure, so the rule can be tested and
 * shown (`--dry-run`) without touching the store.
 */
import { activeVersion, ancestorsOf, versionNumber } from './lineage';
import type { VersionRecord } from './versions';

export interface RetentionPolicy {
  /** Keep at most this many checkpoints (newest first). @default 50 */
  maxCheckpoints: number;
  /** Remove checkpoints older than this. @default 7 days */
  maxAgeMs: number;
}

export const DEFAULT_RETENTION: RetentionPolicy = {
  maxCheckpoints: 50,
  maxAgeMs: 7 * 24 * 60 * 60 * 1000,
};

export interface RetentionPlan {
  remove: string[];
  /** Versions kept although the policy would drop them, and why. */
  protected: Array<{ version: string; reason: string }>;
}

/**
 * Protected: anything tagged `stable`, the active version, and its ancestors
 * back to (and including) the newest stable one — so a rollback from the
 * active version always finds its stable floor. Among the rest, a checkpoint
 * goes when it is outside the newest `maxCheckpoints` or older than `maxAgeMs`.
 */
export function planRetention(
  versions: readonly VersionRecord[],
  policy: RetentionPolicy,
  now: Date,
): RetentionPlan {
  const reasons = new Map<string, string>();
  for (const v of versions) if (v.tags.includes('stable')) reasons.set(v.version, 'tagged stable');
  const active = activeVersion(versions);
  if (active) {
    reasons.set(active.version, 'active');
    for (const a of ancestorsOf(versions, active.version)) {
      if (!reasons.has(a.version)) reasons.set(a.version, `ancestor of active ${active.version}`);
      if (a.tags.includes('stable')) break;
    }
  }
  const live = versions
    .filter((v) => !v.pruned)
    .sort((a, b) => versionNumber(b.version) - versionNumber(a.version));
  const remove: string[] = [];
  const kept: RetentionPlan['protected'] = [];
  live.forEach((v, newestIndex) => {
    const tooMany = newestIndex >= policy.maxCheckpoints;
    const tooOld = now.getTime() - Date.parse(v.timestamp) > policy.maxAgeMs;
    if (!tooMany && !tooOld) return;
    const reason = reasons.get(v.version);
    if (reason) kept.push({ version: v.version, reason });
    else remove.push(v.version);
  });
  return { remove, protected: kept };
}
