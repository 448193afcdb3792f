/**
 * Restoring a checkpoint into a workspace:
 *   1. refuse dangerous or unregistered targets;
 *   2. validate the checkpoint — corrupt ⇒ refuse, nothing touched;
 *   3. stage the workspace as it is now (tree N) in its private index;
 *   4. `git read-tree -m -u N C`: git's own two-tree checkout rewrites only
 *      paths that differ, removes paths C lacks, and checks for obstacles
 *      before writing anything; excluded and ignored files are never touched;
 *   5. make empty directories match the manifest;
 *   6. stage again and report the resulting checksum.
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
import { failure, type CheckpointStore, type Progress } from './store';
import { validateRecord } from './validate';

/** Counts of paths `git diff-tree` says will be written and removed. */
async function plannedChanges(
  store: CheckpointStore,
  from: string,
  to: string,
): Promise<{ written: number; removed: number }> {
  const fields = await gitList(['diff-tree', '-r', '-z', '--no-renames', from, to], {
    env: store.objectEnv,
  });
  let written = 0;
  let removed = 0;
  for (const f of fields) {
    if (!f.startsWith(':')) continue;
    if (f.endsWith(' D')) removed++;
    else written++;
  }
  return { written, removed };
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
      progress(`validating ${record.id}`);
      const validation = await validateRecord(store, record, progress);
      if (!validation.ok || !validation.manifest) {
        throw failure(
          CheckpointFailure.corrupted,
          `checkpoint ${record.id} failed validation, nothing restored: ${validation.problems.join('; ')}`,
        );
      }
      const manifest = validation.manifest;
      progress(`staging ${workspace}`);
      const now = await stageWorkspace(store, record.moduleId, workspace);
      const planned = await plannedChanges(store, now.tree, manifest.tree);
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
      const after = await stageWorkspace(store, record.moduleId, workspace);
      return {
        checkpointId: record.id,
        workspace,
        checksum: after.checksum,
        matches: after.checksum === record.checksum,
        filesWritten: planned.written,
        filesRemoved: planned.removed,
      };
    },
    () => progress('waiting for the store lock'),
  );
}
