/**
 * The checkpoint store's on-disk layout and state, under `<dataDir>/checkpoints/`:
 *
 *   store.git/                  bare git repository: the object store (never the workspace's .git)
 *   indexes/<module>-<ws>.index one private git index per module and workspace (its stat cache
 *                               makes `git add -A` incremental)
 *   modules/<module>.json       lineage and checkpoint records (atomic writes, under the lock)
 *   modules/<module>.config.json  exclusions, interface command, VersionManagerConfig
 *   indexes/<…>.index.exclude   the exclusions last applied to that index
 *   manifests/<module>/<v>.json what a checkpoint holds (tree id, empty dirs, checksum)
 *   workspaces.json             directories ratchet may restore into
 *   store.lock/                 one lock for every write to the store (proper-lockfile)
 *
 * Refs `refs/ratchet/<module>/<version>` keep each checkpoint's commit alive;
 * commits have no parents so deleting a ref really frees its objects.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { appendFile, mkdir, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { z } from 'zod';
import { CheckpointFailure } from '../../domain/checkpointStore';
import { parseCheckpointId } from '../../domain/lineage';
import {
  ModuleId,
  VersionManagerConfig,
  type CheckpointRecord,
  type CompatibilityReport,
} from '../../domain/versions';
import { ServiceFields } from '../../domain/services/settings';
import { readJson, writeJsonAtomic } from '../infra/atomicFile';
import { withFileLock } from '../infra/locks';
import { git } from './git';

export const ModuleConfig = VersionManagerConfig.extend({
  /** gitignore patterns left out of checkpoints (the workspace's .gitignore files apply too). */
  exclude: z.array(z.string().min(1)).default([]),
  /** A shell command whose stdout lists the public interface, one item per line. */
  interfaceCommand: z.string().min(1).optional(),
  /** Cleanup removes checkpoints older than this. @default 7 days */
  maxAgeMs: z
    .number()
    .int()
    .positive()
    .default(7 * 86_400_000),
  /** The module's service: serve, health, healthWindowSec, healthIntervalSec, healthFailureThreshold. */
  ...ServiceFields.shape,
});
export type ModuleConfig = z.infer<typeof ModuleConfig>;

export interface ModuleState {
  moduleId: string;
  /** Where the latest checkpoint was taken. */
  workspace: string;
  /** Next version number; never reused, even after cleanup. */
  nextVersion: number;
  versions: CheckpointRecord[];
  compatibility: CompatibilityReport[];
}

export interface Manifest {
  checkpointId: string;
  tree: string;
  commit: string;
  /** Directories with nothing in them (git stores none), relative, sorted. */
  emptyDirs: string[];
  files: number;
  checksum: string;
}

/** Progress callback; activities heartbeat through it. */
export type Progress = (step: string) => void;

export function failure(type: string, message: string): ApplicationFailure {
  return ApplicationFailure.create({ type, message, nonRetryable: true });
}

/**
 * The tree checksum: sha256 over the git tree id (which already addresses
 * every path, mode and byte) and the sorted empty directories (which git
 * cannot store). Same workspace content ⇒ same checksum, on any machine.
 */
export function treeChecksum(tree: string, emptyDirs: readonly string[]): string {
  const h = createHash('sha256').update(`ratchet-tree-v1\0${tree}\0`);
  for (const d of [...emptyDirs].sort()) h.update(`${d}\0`);
  return `sha256:${h.digest('hex')}`;
}

export function digestOf(text: string): string {
  return `sha256:${createHash('sha256').update(text).digest('hex')}`;
}

export class CheckpointStore {
  readonly root: string;
  readonly gitDir: string;
  private initialized = false;

  constructor(readonly dataDir: string) {
    this.dataDir = path.resolve(dataDir);
    this.root = path.join(this.dataDir, 'checkpoints');
    this.gitDir = path.join(this.root, 'store.git');
  }

  /** Creates the layout and the bare repository once; withLock calls it. */
  private async init(): Promise<void> {
    if (this.initialized) return;
    for (const dir of ['modules', 'indexes', 'manifests']) {
      await mkdir(path.join(this.root, dir), { recursive: true });
    }
    if (existsSync(path.join(this.gitDir, 'HEAD'))) {
      this.initialized = true;
      return;
    }
    await git(['init', '--quiet', '--bare', this.gitDir]);
    // Appended in one write: a `git config` process per key cost a first checkpoint ~6 spawns.
    await appendFile(
      path.join(this.gitDir, 'config'),
      [
        '[gc]',
        '\tauto = 0', // cleanup reclaims space itself, never in the middle of a checkpoint
        '[core]',
        '\tautocrlf = false',
        '\tfileMode = true',
        '\tsymlinks = true',
        '\tuntrackedCache = true',
        '[index]',
        '\tthreads = true',
        '',
      ].join('\n'),
    );
    this.initialized = true;
  }

  /** Every write to the store (and every read of objects a cleanup could prune) holds this. */
  async withLock<T>(fn: () => Promise<T>, onWait?: () => void): Promise<T> {
    await mkdir(this.root, { recursive: true });
    return withFileLock(
      path.join(this.root, 'store'),
      async () => {
        await this.init(); // under the lock: racing first writers must not both run `git init`
        return fn();
      },
      // Checkpoints of big workspaces hold the lock long; the holder refreshes it meanwhile.
      { lockPath: this.lockPath, staleMs: 30_000, ...(onWait ? { onWait } : {}) },
    );
  }

  /** The store's lock directory (the janitor removes it when stale). */
  get lockPath(): string {
    return path.join(this.root, 'store.lock');
  }

  moduleFile(moduleId: string): string {
    return path.join(this.root, 'modules', `${moduleId}.json`);
  }
  configFile(moduleId: string): string {
    return path.join(this.root, 'modules', `${moduleId}.config.json`);
  }
  /** Exclusions as last applied to one index (so a change is noticed per index). */
  excludeFile(moduleId: string, workspace: string): string {
    return `${this.indexFile(moduleId, workspace)}.exclude`;
  }
  manifestFile(moduleId: string, version: string): string {
    return path.join(this.root, 'manifests', moduleId, `${version}.json`);
  }
  indexFile(moduleId: string, workspace: string): string {
    const ws = createHash('sha256').update(workspace).digest('hex').slice(0, 12);
    return path.join(this.root, 'indexes', `${moduleId}-${ws}.index`);
  }
  refOf(moduleId: string, version: string): string {
    return `refs/ratchet/${moduleId}/${version}`;
  }

  /** The environment that points git at the store, one workspace, and its private index. */
  gitEnv(moduleId: string, workspace: string): Record<string, string> {
    return {
      GIT_DIR: this.gitDir,
      GIT_WORK_TREE: workspace,
      GIT_INDEX_FILE: this.indexFile(moduleId, workspace),
    };
  }
  /** For commands that only read or write objects and refs. */
  get objectEnv(): Record<string, string> {
    return { GIT_DIR: this.gitDir };
  }

  async readModule(moduleId: string): Promise<ModuleState | undefined> {
    return readJson<ModuleState>(this.moduleFile(moduleId));
  }
  async writeModule(state: ModuleState): Promise<void> {
    await writeJsonAtomic(this.moduleFile(state.moduleId), state);
  }

  async listModules(): Promise<string[]> {
    const dir = path.join(this.root, 'modules');
    if (!existsSync(dir)) return [];
    return (await readdir(dir))
      .filter((f) => f.endsWith('.json') && !f.endsWith('.config.json'))
      .map((f) => f.slice(0, -'.json'.length))
      .sort();
  }

  async readConfig(moduleId: string): Promise<ModuleConfig> {
    const raw = await readJson<unknown>(this.configFile(moduleId));
    const parsed = ModuleConfig.safeParse(raw ?? {});
    if (!parsed.success) {
      throw failure(
        CheckpointFailure.invalidInput,
        `invalid module config ${this.configFile(moduleId)}: ${parsed.error.issues[0]?.message}`,
      );
    }
    return parsed.data;
  }

  /** Merges `patch` into the module's config (under the lock). */
  async configureModule(moduleId: string, patch: Partial<ModuleConfig>): Promise<ModuleConfig> {
    ModuleId.parse(moduleId);
    return this.withLock(async () => {
      const next = ModuleConfig.parse({ ...(await this.readConfig(moduleId)), ...patch });
      await writeJsonAtomic(this.configFile(moduleId), next);
      return next;
    });
  }

  async registeredWorkspaces(): Promise<string[]> {
    return (
      (await readJson<{ workspaces: string[] }>(path.join(this.root, 'workspaces.json')))
        ?.workspaces ?? []
    );
  }
  /** Call under the lock. */
  async registerWorkspaceLocked(workspace: string): Promise<void> {
    const current = await this.registeredWorkspaces();
    if (current.includes(workspace)) return;
    await writeJsonAtomic(path.join(this.root, 'workspaces.json'), {
      workspaces: [...current, workspace].sort(),
    });
  }

  async readManifestText(moduleId: string, version: string): Promise<string | undefined> {
    try {
      return await readFile(this.manifestFile(moduleId, version), 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }

  /** The checkpoint record for `<moduleId>@<version>`; CheckpointNotFound otherwise. */
  async getCheckpoint(checkpointId: string): Promise<CheckpointRecord> {
    const parsed = parseCheckpointId(checkpointId);
    if (!parsed) {
      throw failure(
        CheckpointFailure.invalidInput,
        `"${checkpointId}" is not a checkpoint id (<module>@v<N>)`,
      );
    }
    const state = await this.readModule(parsed.moduleId);
    const record = state?.versions.find((v) => v.version === parsed.version);
    if (!record || record.pruned) {
      throw failure(
        CheckpointFailure.notFound,
        `no checkpoint ${checkpointId}${record?.pruned ? ' (removed by cleanup)' : ''}`,
      );
    }
    return record;
  }
}
