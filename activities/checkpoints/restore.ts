/**
 * Restoring a checkpoint into a workspace:
 *   1. refuse dangerous or unregistered targets;
 *   2. check the manifest (digest, checksum, ref) — wrong ⇒ refuse, nothing touched;
 *   3. the fast path (restoreFast.ts) when the module's index still holds a
 *      known tree: plan from three read-only git listings, rehash what the
 *      checkout reads, check out only the paths that differ, prove them;
 *   4. otherwise the full path: stage the workspace as it is now (tree N) in
 *      its private index; rehash what the restore reads — the commit, C's
 *      trees that differ from N and the blobs it will write (not the whole
 *      checkpoint: `checkpoint validate` does that) — corrupt or missing ⇒
 *      refuse, nothing touched; `git read-tree -m -u N C`: git's own
 *      two-tree checkout rewrites only paths that differ, removes paths C
 *      lacks, and checks for obstacles before writing anything; excluded and
 *      ignored files are never touched; check the result with `git diff-files`
 *      (read-tree left the index equal to C with fresh stat data);
 *   5. make empty directories match the manifest.
 * Either way a result that is not C is re-staged and reported as what is there.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import {
  CheckpointFailure,
  type RestoreCheckpointInput,
  type RestoreResult,
} from '../../domain/checkpointStore';
import { git, gitList } from './git';
import { recordIndexTree } from './indexState';
import {
  finishRestoreVerifier,
  keptDirs,
  removeEmptyUpwards,
  startRestoreVerifier,
} from './restoreCommon';
import { applyFastRestore, planFastRestore, verifyFastPlan } from './restoreFast';
import { assertRestorable, resolveWorkspace } from './safety';
import { stageWorkspace } from './snapshot';
import { failure, treeChecksum, type CheckpointStore, type Manifest, type Progress } from './store';
import { checkManifest, type ObjectVerifier } from './validate';

/**
 * What `git diff-tree -t` says the full restore will write (with the blob
 * ids), remove, and which of C's trees it reads (those that differ from N).
 */
async function plannedChanges(
  store: CheckpointStore,
  from: string,
  to: string,
): Promise<{ written: number; removed: number; blobs: string[]; trees: string[] }> {
  const fields = await gitList(['diff-tree', '-r', '-t', '-z', '--no-renames', from, to], {
    env: store.objectEnv,
  });
  let removed = 0;
  const blobs: string[] = [];
  const trees: string[] = [];
  for (const f of fields) {
    if (!f.startsWith(':')) continue;
    // ":<old mode> <new mode> <old id> <new id> <status>"
    const [oldMode, newMode, , newId] = f.slice(1).split(' ');
    if (newMode === '040000') trees.push(newId!);
    else if (oldMode === '040000')
      continue; // a tree C lacks
    else if (f.endsWith(' D')) removed++;
    else blobs.push(newId!);
  }
  return { written: blobs.length, removed, blobs, trees };
}

type Refuse = (problems: string[]) => Error;

/** Steps 3–4 of the full path; returns what it wrote and removed, and whether the result is C. */
async function fullRestore(
  store: CheckpointStore,
  moduleId: string,
  workspace: string,
  target: { manifest: Manifest; commit: string; id: string; verifier: ObjectVerifier },
  refuse: Refuse,
  progress: Progress,
): Promise<{ written: number; removed: number; emptyDirs: string[]; isC: boolean }> {
  const { manifest, commit } = target;
  progress(`staging ${workspace}`);
  const now = await stageWorkspace(store, moduleId, workspace);
  let planned: Awaited<ReturnType<typeof plannedChanges>>;
  try {
    planned = await plannedChanges(store, now.tree, manifest.tree);
  } catch (err) {
    throw refuse([`trees unreadable: ${(err as Error).message}`]);
  }
  progress(`verifying the ${planned.written} files to write and the trees above them`);
  target.verifier.add([...new Set([...planned.trees, ...planned.blobs])]);
  const { problems } = await finishRestoreVerifier(target.verifier, commit, manifest);
  if (problems.length) throw refuse(problems);
  const env = store.gitEnv(moduleId, workspace);
  progress(`checking out ${planned.written} files, removing ${planned.removed}`);
  try {
    await git(
      [
        '-c',
        `core.excludesFile=${store.excludeFile(moduleId, workspace)}`,
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
      `cannot restore ${target.id} into ${workspace} without overwriting files outside the checkpoint: ${(err as Error).message}`,
    );
  }
  await recordIndexTree(env.GIT_INDEX_FILE!, manifest.tree);
  const unchanged = await git(['diff-files', '--quiet'], { env, cwd: workspace, okCodes: [1] });
  return {
    written: planned.written,
    removed: planned.removed,
    emptyDirs: now.emptyDirs,
    isC: unchanged.code === 0,
  };
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
      let done: { written: number; removed: number; emptyDirs: string[]; isC: boolean };
      // cat-file starts now, with the commit and C's root; its start overlaps the planning.
      const verifier = startRestoreVerifier(store, commit, manifest);
      // Whatever happens next, cat-file gets its end of input (else it waits forever).
      const plan = await planFastRestore(store, record.moduleId, workspace, manifest).catch(
        async (err: unknown) => {
          await verifier.finish().catch(() => undefined);
          throw err;
        },
      );
      if (plan) {
        progress(
          `verifying the ${plan.write.length + plan.dirty.length} files to write and the trees above them`,
        );
        const corrupt = await verifyFastPlan(verifier, commit, manifest, plan);
        if (corrupt.length) throw refuse(corrupt);
        progress(`checking out ${plan.write.length} files, removing ${plan.removed} (fast path)`);
        let isC: boolean;
        try {
          isC = await applyFastRestore(store, record.moduleId, workspace, manifest, plan);
        } catch (err) {
          throw failure(
            CheckpointFailure.dangerousTarget,
            `cannot restore ${record.id} into ${workspace}: ${(err as Error).message}`,
          );
        }
        done = {
          written: plan.write.length,
          removed: plan.removed,
          emptyDirs: plan.emptyDirs,
          isC,
        };
      } else {
        const target = { manifest, commit, id: record.id, verifier };
        try {
          done = await fullRestore(store, record.moduleId, workspace, target, refuse, progress);
        } finally {
          await verifier.finish().catch(() => undefined);
        }
      }
      const keep = keptDirs(manifest.emptyDirs);
      for (const dir of done.emptyDirs) {
        if (!keep.has(dir)) await removeEmptyUpwards(workspace, dir, keep);
      }
      if (plan) {
        // Directories the deleted untracked files leave empty go too, as git does for tracked ones.
        for (const rel of plan.untracked) {
          await removeEmptyUpwards(workspace, path.posix.dirname(rel), keep);
        }
      }
      for (const dir of manifest.emptyDirs)
        await mkdir(path.join(workspace, dir), { recursive: true });
      const checksum = done.isC
        ? treeChecksum(manifest.tree, manifest.emptyDirs)
        : (await stageWorkspace(store, record.moduleId, workspace)).checksum;
      return {
        checkpointId: record.id,
        workspace,
        checksum,
        matches: checksum === record.checksum,
        filesWritten: done.written,
        filesRemoved: done.removed,
      };
    },
    () => progress('waiting for the store lock'),
  );
}
