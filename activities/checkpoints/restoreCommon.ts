/** What both restore paths share: rehashing what they read, and tidying empty directories. */
import { rmdir } from 'node:fs/promises';
import path from 'node:path';
import { type CheckpointStore, type Manifest } from './store';
import { treeOfCommit, verifyObjectsCapturing, type VerifiedObjects } from './validate';

/**
 * Rehashes the commit and `specs` (ids or `<tree>:<path>`: the trees and
 * blobs one restore reads), and checks the commit holds the manifest's tree.
 * Problems (none when intact), and the content of the specs in `capture`.
 */
export async function verifyRestoreReads(
  store: CheckpointStore,
  commit: string,
  manifest: Manifest,
  specs: Iterable<string>,
  capture: ReadonlySet<string> = new Set(),
): Promise<VerifiedObjects> {
  const all = [commit, ...new Set([manifest.tree, ...specs])];
  const verified = await verifyObjectsCapturing(store.gitDir, all, new Set([commit, ...capture]));
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
