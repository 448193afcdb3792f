/**
 * The seeds' rollback target with its fallback, said out loud: the nearest
 * safe ancestor carrying the wanted tag; when none qualifies, the nearest safe
 * ancestor without the tag; when none, the newest safe version anywhere in
 * the lineage (a sibling branch); else none. `fallback` names the step used.
 */
import {
  isSafeTarget,
  rollbackTarget,
  versionNumber,
  type RollbackTargetOptions,
} from '../lineage';
import type { VersionRecord } from '../versions';

export type TargetFallback = 'none' | 'untagged' | 'any_safe' | 'no_target';

export interface TargetChoice {
  target: VersionRecord | null;
  fallback: TargetFallback;
  /** One line for events and the CLI. */
  note: string;
}

export function rollbackTargetWithFallback(
  versions: readonly VersionRecord[],
  options: RollbackTargetOptions = {},
): TargetChoice {
  const direct = rollbackTarget(versions, options);
  if (direct)
    return { target: direct, fallback: 'none', note: `rolling back to ${direct.version}` };
  if (options.tag !== undefined) {
    const untagged = rollbackTarget(versions, { ...options, tag: undefined });
    if (untagged)
      return {
        target: untagged,
        fallback: 'untagged',
        note: `no ancestor tagged ${options.tag}: falling back to the nearest safe ancestor ${untagged.version}`,
      };
  }
  const from = options.from;
  const anySafe = [...versions]
    .filter((v) => v.version !== from && isSafeTarget(v, undefined, options.exclude))
    .filter((v) => v.status !== 'active')
    .sort((a, b) => versionNumber(b.version) - versionNumber(a.version))[0];
  if (anySafe)
    return {
      target: anySafe,
      fallback: 'any_safe',
      note: `no safe ancestor: falling back to the newest safe version ${anySafe.version}`,
    };
  return { target: null, fallback: 'no_target', note: 'no safe version to roll back to' };
}
