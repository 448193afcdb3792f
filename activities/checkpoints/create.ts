/**
 * Creating a checkpoint: stage the workspace into its private index, write a
 * parentless commit for the tree, pin it with `refs/ratchet/<module>/<vN>`,
 * then record the manifest and the lineage entry — all under the store lock
 * so racing creators get distinct versions and a consistent lineage.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { CheckpointFailure, type CreateCheckpointInput } from '../../domain/checkpointStore';
import { checkpointIdOf } from '../../domain/lineage';
import { ModuleId, VersionStatus, type CheckpointRecord } from '../../domain/versions';
import { writeFileAtomic } from './files';
import { git, gitList, gitText } from './git';
import { assertNotDangerous, resolveWorkspace } from './safety';
import { stageWorkspace } from './snapshot';
import {
  digestOf,
  failure,
  type CheckpointStore,
  type Manifest,
  type ModuleState,
  type Progress,
} from './store';

export const CreateCheckpointInputSchema = z.object({
  workspace: z.string().min(1),
  moduleId: ModuleId,
  parentVersion: z
    .string()
    .regex(/^v[1-9][0-9]*$/)
    .nullable()
    .optional(),
  tags: z.array(z.string().min(1).max(64)).optional(),
  status: VersionStatus.optional(),
  metadata: z.record(z.string(), z.unknown()).optional(),
});

/** The workspace's own commit and branch (read-only: one `git rev-parse`). */
async function workspaceGitHead(
  workspace: string,
): Promise<{ gitCommit: string | null; gitBranch: string | null }> {
  if (!existsSync(path.join(workspace, '.git'))) return { gitCommit: null, gitBranch: null };
  try {
    const [commit, ref] = (
      await gitText(['rev-parse', 'HEAD', '--symbolic-full-name', 'HEAD'], { cwd: workspace })
    ).split('\n');
    const branch = ref?.startsWith('refs/heads/') ? ref.slice('refs/heads/'.length) : null;
    return { gitCommit: commit ?? null, gitBranch: branch };
  } catch {
    return { gitCommit: null, gitBranch: null }; // no commit yet
  }
}

/** On-disk size of the objects this tree has that `parentTree` does not. */
async function bytesAdded(
  store: CheckpointStore,
  tree: string,
  parentTree: string | null,
  commit: string,
): Promise<number> {
  const env = store.objectEnv;
  const ids = new Set<string>([tree, commit]);
  // raw diff lines: ":<old mode> <new mode> <old id> <new id> <status>\0<path>\0"
  const changed = parentTree
    ? await gitList(['diff-tree', '-r', '-t', '-z', '--no-renames', parentTree, tree], {
        env,
      }).catch(() => null) // parent's tree pruned: count the whole tree
    : null;
  if (changed) {
    for (const f of changed) {
      if (!f.startsWith(':')) continue;
      const newId = f.split(' ')[3];
      if (newId && !/^0+$/.test(newId)) ids.add(newId);
    }
  } else {
    const lines = (await gitText(['ls-tree', '-r', '-t', tree], { env })).split('\n');
    for (const line of lines) {
      const id = line.split(/\s+/)[2];
      if (id) ids.add(id);
    }
  }
  const sizes = await gitText(['cat-file', '--batch-check=%(objectsize:disk)'], {
    env,
    input: [...ids].join('\n') + '\n',
  });
  return sizes
    .split('\n')
    .map(Number)
    .filter((n) => Number.isFinite(n))
    .reduce((a, b) => a + b, 0);
}

export async function createCheckpoint(
  store: CheckpointStore,
  rawInput: CreateCheckpointInput,
  progress: Progress = () => undefined,
): Promise<CheckpointRecord> {
  const parsed = CreateCheckpointInputSchema.safeParse(rawInput);
  if (!parsed.success) {
    throw failure(CheckpointFailure.invalidInput, parsed.error.issues[0]?.message ?? 'bad input');
  }
  const input = parsed.data;
  const workspace = resolveWorkspace(input.workspace);
  assertNotDangerous(store, workspace);
  const head = await workspaceGitHead(workspace);
  return store.withLock(
    async () => {
      const state: ModuleState = (await store.readModule(input.moduleId)) ?? {
        moduleId: input.moduleId,
        workspace,
        nextVersion: 1,
        versions: [],
        compatibility: [],
      };
      const active = state.versions.find((v) => v.status === 'active');
      const parentVersion =
        input.parentVersion === undefined ? (active?.version ?? null) : input.parentVersion;
      const parent =
        parentVersion === null
          ? undefined
          : state.versions.find((v) => v.version === parentVersion);
      if (parentVersion !== null && !parent) {
        throw failure(
          CheckpointFailure.invalidInput,
          `parent ${checkpointIdOf(input.moduleId, parentVersion)} does not exist`,
        );
      }
      await store.registerWorkspaceLocked(workspace);
      const version = `v${state.nextVersion}`;
      const id = checkpointIdOf(input.moduleId, version);
      progress(`staging ${workspace}`);
      const staged = await stageWorkspace(store, input.moduleId, workspace);
      progress(`committing ${id}`);
      const commit = await gitText(
        ['commit-tree', staged.tree, '-m', `ratchet checkpoint ${id}\n\nworkspace: ${workspace}`],
        { env: store.objectEnv },
      );
      await git(['update-ref', store.refOf(input.moduleId, version), commit], {
        env: store.objectEnv,
      });
      // The parent's tree from its manifest (no extra git process); bytesAdded is measured against it.
      const parentManifest = parent
        ? await store.readManifestText(input.moduleId, parent.version)
        : undefined;
      let parentTree: string | null = null;
      try {
        parentTree = parentManifest ? (JSON.parse(parentManifest) as Manifest).tree : null;
      } catch {
        parentTree = null; // a damaged parent manifest only makes bytesAdded count the whole tree
      }
      const manifest: Manifest = {
        checkpointId: id,
        tree: staged.tree,
        commit,
        emptyDirs: staged.emptyDirs,
        files: staged.files,
        checksum: staged.checksum,
      };
      const manifestText = `${JSON.stringify(manifest, null, 2)}\n`;
      await writeFileAtomic(store.manifestFile(input.moduleId, version), manifestText);
      const status = input.status ?? (state.versions.length === 0 ? 'active' : 'accepted');
      if (status === 'active') {
        for (const v of state.versions) if (v.status === 'active') v.status = 'accepted';
      }
      const record: CheckpointRecord = {
        id,
        checkpointId: id,
        moduleId: input.moduleId,
        version,
        parentVersion,
        timestamp: new Date().toISOString(),
        checksum: staged.checksum,
        tags: [...new Set(input.tags ?? [])],
        status,
        workspace,
        gitCommit: head.gitCommit,
        gitBranch: head.gitBranch,
        files: staged.files,
        bytesAdded: await bytesAdded(store, staged.tree, parentTree, commit),
        metadata: input.metadata ?? {},
        manifestDigest: digestOf(manifestText),
      };
      state.versions.push(record);
      state.nextVersion += 1;
      state.workspace = workspace;
      await store.writeModule(state);
      return record;
    },
    () => progress('waiting for the store lock'),
  );
}
