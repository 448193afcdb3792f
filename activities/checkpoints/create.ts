/**
 * Creating a checkpoint: stage the workspace into its private index, write a
 * parentless commit for the tree, pin it with `refs/ratchet/<module>/<vN>`,
 * then record the manifest and the lineage entry — all under the store lock
 * so racing creators get distinct versions and a consistent lineage.
 */
import { existsSync, statSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import {
  CheckpointFailure,
  laneStepLabel,
  type CreateCheckpointInput,
} from '../../domain/checkpointStore';
import { Lane } from '../../domain/pipeline/schema';
import { checkpointIdOf } from '../../domain/lineage';
import { ModuleId, VersionStatus, type CheckpointRecord } from '../../domain/versions';
import { writeFileAtomic } from './files';
import { gitList, gitText } from './git';
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
  step: z
    .object({
      lane: Lane,
      number: z.number().int().min(0).max(100_000),
      name: z.string().trim().min(1).max(200),
    })
    .strict()
    .optional(),
});

/**
 * The workspace's own commit and branch, read from its .git files (no git
 * process: this runs on every checkpoint). Worktrees and other layouts fall
 * back to one read-only `git rev-parse`.
 */
async function workspaceGitHead(
  workspace: string,
): Promise<{ gitCommit: string | null; gitBranch: string | null }> {
  const none = { gitCommit: null, gitBranch: null };
  const dotGit = path.join(workspace, '.git');
  if (!existsSync(dotGit)) return none;
  try {
    if ((await stat(dotGit)).isDirectory()) {
      const head = (await readFile(path.join(dotGit, 'HEAD'), 'utf8')).trim();
      if (/^[0-9a-f]{40,64}$/.test(head)) return { gitCommit: head, gitBranch: null };
      const ref = /^ref: (refs\/\S+)$/.exec(head)?.[1];
      if (ref) {
        const branch = ref.startsWith('refs/heads/') ? ref.slice('refs/heads/'.length) : null;
        const loose = await readFile(path.join(dotGit, ref), 'utf8').catch(() => undefined);
        if (loose) return { gitCommit: loose.trim(), gitBranch: branch };
        const packed = await readFile(path.join(dotGit, 'packed-refs'), 'utf8').catch(() => '');
        const line = packed.split('\n').find((l) => l.endsWith(` ${ref}`));
        return { gitCommit: line ? line.split(' ')[0]! : null, gitBranch: branch };
      }
    }
    const [commit, ref] = (
      await gitText(['rev-parse', 'HEAD', '--symbolic-full-name', 'HEAD'], { cwd: workspace })
    ).split('\n');
    const branch = ref?.startsWith('refs/heads/') ? ref.slice('refs/heads/'.length) : null;
    return { gitCommit: commit ?? null, gitBranch: branch };
  } catch {
    return none; // no commit yet, or not a repository after all
  }
}

/**
 * On-disk size of the loose objects this checkpoint wrote: the objects its
 * tree has that the parent's tree does not (a `git diff-tree`), measured by
 * stat. An object already packed in the store was not added, and counts 0.
 * Synchronous stats in slices, yielding between them: a first checkpoint's
 * 10,000 promise-per-stat calls cost ~3× as long, and a `cat-file` process
 * would cost an incremental checkpoint more than its few stats.
 */
const STAT_SLICE = 1000;

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
  const all = [...ids];
  let total = 0;
  for (let i = 0; i < all.length; i += STAT_SLICE) {
    if (i > 0) await new Promise((resolve) => setImmediate(resolve)); // let heartbeats through
    for (const id of all.slice(i, i + STAT_SLICE)) {
      const file = path.join(store.gitDir, 'objects', id.slice(0, 2), id.slice(2));
      try {
        total += statSync(file, { throwIfNoEntry: false })?.size ?? 0; // packed: no file, 0
      } catch {
        // unreadable: counts 0, as a missing one
      }
    }
  }
  return total;
}

export interface CreateOptions {
  /**
   * Names the call (the activity's run and id): a retry of a call whose
   * checkpoint was already recorded (its worker died before reporting) gets
   * that checkpoint back instead of a second version.
   */
  callKey?: string;
}

export async function createCheckpoint(
  store: CheckpointStore,
  rawInput: CreateCheckpointInput,
  progress: Progress = () => undefined,
  options: CreateOptions = {},
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
      const earlier = options.callKey
        ? state.versions.find((v) => v.metadata?.callKey === options.callKey)
        : undefined;
      if (earlier) return earlier;
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
      // A loose ref file, written atomically under the store lock: what `git update-ref`
      // would write (bare store, no reflog), without another process per checkpoint.
      await writeFileAtomic(
        path.join(store.gitDir, store.refOf(input.moduleId, version)),
        `${commit}
`,
      );
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
      const now = new Date();
      const laneStep = input.step
        ? {
            lane: input.step.lane,
            step: input.step.number,
            stepName: input.step.name,
            label: laneStepLabel(input.step.lane, input.step.number, now),
          }
        : {};
      const record: CheckpointRecord = {
        id,
        checkpointId: id,
        moduleId: input.moduleId,
        version,
        parentVersion,
        timestamp: now.toISOString(),
        checksum: staged.checksum,
        tags: [...new Set(input.tags ?? [])],
        status,
        workspace,
        gitCommit: head.gitCommit,
        gitBranch: head.gitBranch,
        files: staged.files,
        bytesAdded: await bytesAdded(store, staged.tree, parentTree, commit),
        metadata: {
          ...input.metadata,
          ...laneStep,
          ...(options.callKey ? { callKey: options.callKey } : {}),
        },
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
