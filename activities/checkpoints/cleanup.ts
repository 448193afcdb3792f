/**
 * Retention: decide with the pure planRetention, then delete the refs and
 * manifests of the removed checkpoints, mark them pruned in the lineage, and
 * let `git gc --prune=now` reclaim their objects. Holds the store lock
 * throughout, so no checkpoint's freshly written objects are pruned under it.
 */
import { existsSync } from 'node:fs';
import { readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { checkpointIdOf } from '../../domain/lineage';
import { planRetention, type RetentionPolicy } from '../../domain/retention';
import { ModuleId } from '../../domain/versions';
import { git, gitText } from './git';
import { type CheckpointStore, type Progress } from './store';
import { storeSize } from './storeSize';

/**
 * The private indexes trust their stat cache: a blob they list is assumed to
 * be in the store. gc must not prune those, so each index's tree is pinned by
 * a temporary ref while gc runs.
 */
async function pinIndexes(store: CheckpointStore): Promise<string[]> {
  const dir = path.join(store.root, 'indexes');
  const files = existsSync(dir) ? (await readdir(dir)).filter((f) => f.endsWith('.index')) : [];
  const refs: string[] = [];
  for (const file of files) {
    const env = { ...store.objectEnv, GIT_INDEX_FILE: path.join(dir, file) };
    const tree = await gitText(['write-tree'], { env }).catch(() => null);
    if (!tree) {
      await rm(path.join(dir, file), { force: true }); // unusable cache: the next stage rebuilds it
      continue;
    }
    const ref = `refs/ratchet-pins/${file.slice(0, -'.index'.length)}`;
    await git(['update-ref', ref, tree], { env: store.objectEnv });
    refs.push(ref);
  }
  return refs;
}

export interface CleanupOptions {
  moduleId?: string;
  /** Overrides the module's `maxCheckpoints`. */
  keep?: number;
  /** Overrides the module's `maxAgeMs`. */
  maxAgeMs?: number;
  dryRun?: boolean;
  now?: Date;
}

export interface CleanupResult {
  dryRun: boolean;
  removed: string[];
  protected: Array<{ checkpointId: string; reason: string }>;
  bytesBefore: number;
  bytesAfter: number;
  reclaimedBytes: number;
}

export async function cleanupCheckpoints(
  store: CheckpointStore,
  options: CleanupOptions = {},
  progress: Progress = () => undefined,
): Promise<CleanupResult> {
  const modules = options.moduleId ? [ModuleId.parse(options.moduleId)] : await store.listModules();
  return store.withLock(
    async () => {
      const bytesBefore = await storeSize(store);
      const removed: string[] = [];
      const kept: CleanupResult['protected'] = [];
      for (const moduleId of modules) {
        const state = await store.readModule(moduleId);
        if (!state) continue;
        const config = await store.readConfig(moduleId);
        const policy: RetentionPolicy = {
          maxCheckpoints: options.keep ?? config.maxCheckpoints,
          maxAgeMs: options.maxAgeMs ?? config.maxAgeMs,
        };
        const plan = planRetention(state.versions, policy, options.now ?? new Date());
        kept.push(
          ...plan.protected.map((p) => ({
            checkpointId: checkpointIdOf(moduleId, p.version),
            reason: p.reason,
          })),
        );
        removed.push(...plan.remove.map((v) => checkpointIdOf(moduleId, v)));
        if (options.dryRun || plan.remove.length === 0) continue;
        progress(`removing ${plan.remove.length} checkpoints of ${moduleId}`);
        await git(['update-ref', '--stdin'], {
          env: store.objectEnv,
          input: plan.remove.map((v) => `delete ${store.refOf(moduleId, v)}\n`).join(''),
        });
        for (const v of plan.remove) await rm(store.manifestFile(moduleId, v), { force: true });
        const gone = new Set(plan.remove);
        for (const v of state.versions) if (gone.has(v.version)) v.pruned = true;
        await store.writeModule(state);
      }
      if (!options.dryRun && removed.length > 0) {
        progress('reclaiming space (git gc)');
        const pins = await pinIndexes(store);
        try {
          await git(['reflog', 'expire', '--expire=now', '--all'], { env: store.objectEnv });
          await git(['gc', '--quiet', '--prune=now'], { env: store.objectEnv });
        } finally {
          await git(['update-ref', '--stdin'], {
            env: store.objectEnv,
            input: pins.map((ref) => `delete ${ref}\n`).join(''),
          });
        }
      }
      const bytesAfter = options.dryRun ? bytesBefore : await storeSize(store);
      return {
        dryRun: options.dryRun ?? false,
        removed,
        protected: kept,
        bytesBefore,
        bytesAfter,
        reclaimedBytes: Math.max(0, bytesBefore - bytesAfter),
      };
    },
    () => progress('waiting for the store lock'),
  );
}
