/**
 * Restoring a checkpoint into a workspace:
 *   1. refuse dangerous or unregistered targets;
 *   2. check the manifest (digest, checksum, ref) — wrong ⇒ refuse, nothing touched;
 *   3. stage the workspace as it is now (tree N) in its private index;
 *   4. rehash what the restore reads: the commit, every tree of C and the
 *      blobs it will write (not the whole checkpoint: `checkpoint validate`
 *      does that) — corrupt or missing ⇒ refuse, nothing touched;
 *   5. `git read-tree -m -u N C`: git's own two-tree checkout rewrites only
 *      paths that differ, removes paths C lacks, and checks for obstacles
 *      before writing anything; excluded and ignored files are never touched;
 *   6. make empty directories match the manifest;
 *   7. check the result: read-tree left the index equal to C with fresh stat
 *      data, so when `git diff-files` finds no tracked file differing from it
 *      the workspace is C (every other file was in N and read-tree removed
 *      it); only otherwise stage again (an untracked walk and a tree write)
 *      and report what is there.
 */
import { mkdir, rmdir } from 'node:fs/promises';
import path from 'node:path';
import {
  CheckpointFailure,
  type RestoreCheckpointInput,
  type RestoreResult,
} from '../../domain/checkpointStore';
import { git, gitList } from './git';
import { assertRestorable, resolveWorkspace } from './safety';
import { stageWorkspace } from './snapshot';
import { failure, treeChecksum, type CheckpointStore, type Progress } from './store';
import { checkCommitTree, checkManifest, verifyObjects } from './validate';

/** What `git diff-tree` says the restore will write (with the blob ids) and remove. */
async function plannedChanges(
  store: CheckpointStore,
  from: string,
  to: string,
): Promise<{ written: number; removed: number; blobs: string[] }> {
  const fields = await gitList(['diff-tree', '-r', '-z', '--no-renames', from, to], {
    env: store.objectEnv,
  });
  let removed = 0;
  const blobs: string[] = [];
  for (const f of fields) {
    if (!f.startsWith(':')) continue;
    // ":<old mode> <new mode> <old id> <new id> <status>"
    if (f.endsWith(' D')) removed++;
    else blobs.push(f.split(' ')[3]!);
  }
  return { written: blobs.length, removed, blobs };
}

/** Every tree of `tree`, itself included: the restore reads them all to compare. */
async function treesOf(store: CheckpointStore, tree: string): Promise<string[]> {
  const entries = await gitList(['ls-tree', '-r', '-d', '-z', tree], { env: store.objectEnv });
  // "<mode> tree <id>\t<path>"
  return [tree, ...entries.filter(Boolean).map((e) => e.split('\t')[0]!.split(' ')[2]!)];
}

/**
 * Rehashes the objects this restore reads; problems, or none. The tree list
 * and the commit's tree were started beside the staging (they read only the
 * store); the commit's tree counts only once the commit itself rehashed.
 */
async function verifyRestoreObjects(
  store: CheckpointStore,
  commit: string,
  reads: { trees: Promise<string[]>; commitTree: Promise<string[]> },
  planned: { blobs: string[] },
): Promise<string[]> {
  let trees: string[];
  try {
    trees = await reads.trees;
  } catch (err) {
    return [`trees unreadable: ${(err as Error).message}`];
  }
  const problems = await verifyObjects(store.gitDir, [
    commit,
    ...new Set([...trees, ...planned.blobs]),
  ]);
  return problems.length ? problems : reads.commitTree;
}

/** Removes `dir` and then its parents while they are empty, stopping at the workspace or a kept dir. */
async function removeEmptyUpwards(
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

export async function restoreCheckpoint(
  store: CheckpointStore,
  input: RestoreCheckpointInput,
  progress: Progress = () => undefined,
): Promise<RestoreResult & { matches: boolean }> {
  const record = await store.getCheckpoint(input.checkpointId);
  const workspace = resolveWorkspace(input.workspace ?? record.workspace);
  await assertRestorable(store, workspace);
  return store.withLock(
    async () => {
      const refuse = (problems: string[]) =>
        failure(
          CheckpointFailure.corrupted,
          `checkpoint ${record.id} failed validation, nothing restored: ${problems.join('; ')}`,
        );
      progress(`checking the manifest of ${record.id}`);
      const { problems, manifest, commit } = await checkManifest(store, record);
      if (problems.length || !manifest || !commit) throw refuse(problems);
      // Reads of the store alone, overlapped with the staging (git processes run in parallel).
      const trees = treesOf(store, manifest.tree);
      const commitTree = checkCommitTree(store, commit, manifest).catch((err: Error) => [
        `commit unreadable: ${err.message}`,
      ]);
      trees.catch(() => undefined); // awaited (and reported) in verifyRestoreObjects
      progress(`staging ${workspace}`);
      const now = await stageWorkspace(store, record.moduleId, workspace);
      let planned: Awaited<ReturnType<typeof plannedChanges>>;
      try {
        planned = await plannedChanges(store, now.tree, manifest.tree);
      } catch (err) {
        throw refuse([`trees unreadable: ${(err as Error).message}`]);
      }
      progress(`verifying the ${planned.written} files to write and the trees`);
      const corrupt = await verifyRestoreObjects(store, commit, { trees, commitTree }, planned);
      if (corrupt.length) throw refuse(corrupt);
      const env = store.gitEnv(record.moduleId, workspace);
      progress(`checking out ${planned.written} files, removing ${planned.removed}`);
      try {
        await git(
          [
            '-c',
            `core.excludesFile=${store.excludeFile(record.moduleId, workspace)}`,
            'read-tree',
            '-m',
            '-u',
            now.tree,
            manifest.tree,
          ],
          { env, cwd: workspace },
        );
      } catch (err) {
        throw failure(
          CheckpointFailure.dangerousTarget,
          `cannot restore ${record.id} into ${workspace} without overwriting files outside the checkpoint: ${(err as Error).message}`,
        );
      }
      const keep = new Set<string>();
      for (const dir of manifest.emptyDirs) {
        for (let d = dir; d !== '.' && d !== ''; d = path.posix.dirname(d)) keep.add(d);
      }
      for (const dir of now.emptyDirs) {
        if (!keep.has(dir)) await removeEmptyUpwards(workspace, dir, keep);
      }
      for (const dir of manifest.emptyDirs)
        await mkdir(path.join(workspace, dir), { recursive: true });
      const unchanged = await git(['diff-files', '--quiet'], {
        env,
        cwd: workspace,
        okCodes: [1],
      });
      const checksum =
        unchanged.code === 0
          ? treeChecksum(manifest.tree, manifest.emptyDirs)
          : (await stageWorkspace(store, record.moduleId, workspace)).checksum;
      return {
        checkpointId: record.id,
        workspace,
        checksum,
        matches: checksum === record.checksum,
        filesWritten: planned.written,
        filesRemoved: planned.removed,
      };
    },
    () => progress('waiting for the store lock'),
  );
}
