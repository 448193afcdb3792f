/** What both restore paths share: rehashing what they read, and tidying empty directories. */
import { rmdir } from 'node:fs/promises';
import path from 'node:path';
import { type CheckpointStore, type Manifest } from './store';
import { startVerifier, treeOfCommit, type ObjectVerifier, type VerifiedObjects } from './validate';

/**
 * Starts rehashing what a restore reads with the commit and C's root tree
 * (the commit's content is kept to check its tree); the caller adds the
 * trees and blobs it will read once it knows them (ids or `<tree>:<path>`).
 */
export function startRestoreVerifier(
  store: CheckpointStore,
  commit: string,
  manifest: Manifest,
): ObjectVerifier {
  const verifier = startVerifier(store.gitDir);
  verifier.add([commit, manifest.tree], new Set([commit]));
  return verifier;
}

/** Ends the verifier: problems (none when intact), and the commit must hold the manifest's tree. */
export async function finishRestoreVerifier(
  verifier: ObjectVerifier,
  commit: string,
  manifest: Manifest,
): Promise<VerifiedObjects> {
  const verified = await verifier.finish();
  if (verified.problems.length) return verified;
  const content = verified.captured.get(commit);
  const tree = content ? treeOfCommit(content) : undefined;
  if (tree !== manifest.tree) {
    verified.problems.push(`commit holds tree ${tree ?? '(none)'}, manifest says ${manifest.tree}`);
  }
  return verified;
}

/** The manifest's empty directories and every parent of one: kept when tidying. */
export function keptDirs(emptyDirs: readonly string[]): Set<string> {
  const keep = new Set<string>();
  for (const dir of emptyDirs) {
    for (let d = dir; d !== '.' && d !== ''; d = path.posix.dirname(d)) keep.add(d);
  }
  return keep;
}

/** Removes `dir` and then its parents while they are empty, stopping at the workspace or a kept dir. */
export async function removeEmptyUpwards(
  workspace: string,
  rel: string,
  keep: Set<string>,
): Promise<void> {
  let current = rel;
  while (current && current !== '.' && !keep.has(current)) {
    try {
      await rmdir(path.join(workspace, current));
    } catch {
      return; // not empty (or gone): stop
    }
    current = path.posix.dirname(current);
  }
}
