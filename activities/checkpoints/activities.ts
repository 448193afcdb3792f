/**
 * The checkpoint store's activities (domain/checkpointStore.ts's
 * CheckpointActivities, plus list/cleanup/target/register/configure). Long
 * operations heartbeat on a timer and on every progress step, so a stuck
 * git process is noticed by the heartbeat timeout.
 */
import { Context, log } from '@temporalio/activity';
import type { CheckpointActivities, CheckpointValidation } from '../../domain/checkpointStore';
import type { RollbackTargetOptions } from '../../domain/lineage';
import type { CheckpointRecord, VersionRecord } from '../../domain/versions';
import {
  assessCompatibility,
  CheckpointStore,
  cleanupCheckpoints,
  createCheckpoint,
  findRollbackTarget,
  getLineage,
  listCheckpoints,
  registerWorkspace,
  restoreCheckpoint,
  setVersionStatus,
  tagVersion,
  validateCheckpoint,
  workspaceChecksum,
  type CleanupOptions,
  type CleanupResult,
  type ModuleConfig,
} from './index';

export interface CheckpointActivityDeps {
  dataDir: string;
}

/** Runs fn while heartbeating every few seconds; progress lines heartbeat too. */
async function heartbeating<T>(
  name: string,
  fn: (progress: (step: string) => void) => Promise<T>,
): Promise<T> {
  let ctx: Context | undefined;
  try {
    ctx = Context.current();
  } catch {
    ctx = undefined; // called outside an activity (tests calling the factory directly)
  }
  const timer = setInterval(() => ctx?.heartbeat({ step: name }), 5_000);
  try {
    return await fn((step) => {
      ctx?.heartbeat({ step });
      if (ctx) log.debug(`${name}: ${step}`);
    });
  } finally {
    clearInterval(timer);
  }
}

/** The activity call's identity (same across its retries), so a retry finds its own checkpoint. */
function callOf(): { callKey?: string } {
  try {
    const { workflowExecution: run, activityId } = Context.current().info;
    return run ? { callKey: `${run.workflowId}/${run.runId}/${activityId}` } : {};
  } catch {
    return {}; // called outside an activity (the CLI, tests calling the factory directly)
  }
}

export const createCheckpointActivities = (deps: CheckpointActivityDeps) => {
  const store = new CheckpointStore(deps.dataDir);
  const activities = {
    createCheckpoint: (input) =>
      heartbeating('createCheckpoint', (p) => createCheckpoint(store, input, p, callOf())),
    restoreCheckpoint: (input) =>
      heartbeating('restoreCheckpoint', (p) => restoreCheckpoint(store, input, p)),
    validateCheckpoint: (input) =>
      heartbeating('validateCheckpoint', (p) => validateCheckpoint(store, input.checkpointId, p)),
    workspaceChecksum: (input) =>
      heartbeating('workspaceChecksum', () => workspaceChecksum(store, input)),
    getLineage: async (input) => getLineage(store, input.moduleId),
    setVersionStatus: async (input) => setVersionStatus(store, input),
    tagVersion: async (input) => tagVersion(store, input),
    assessCompatibility: (input) =>
      heartbeating('assessCompatibility', (p) => assessCompatibility(store, input, p)),
  } satisfies CheckpointActivities;
  return {
    ...activities,
    async listCheckpoints(input: { moduleId?: string }): Promise<CheckpointRecord[]> {
      return listCheckpoints(store, input.moduleId);
    },
    /** Validates every checkpoint of a module (or the whole store). */
    async validateAllCheckpoints(input: { moduleId?: string }): Promise<CheckpointValidation[]> {
      return heartbeating('validateAllCheckpoints', async (p) => {
        const results: CheckpointValidation[] = [];
        for (const c of await listCheckpoints(store, input.moduleId)) {
          results.push(await validateCheckpoint(store, c.id, p));
        }
        return results;
      });
    },
    async findRollbackTarget(
      input: { moduleId: string } & RollbackTargetOptions,
    ): Promise<VersionRecord | null> {
      const { moduleId, ...options } = input;
      return findRollbackTarget(store, moduleId, options);
    },
    async cleanupCheckpoints(input: CleanupOptions): Promise<CleanupResult> {
      return heartbeating('cleanupCheckpoints', (p) => cleanupCheckpoints(store, input, p));
    },
    async registerCheckpointWorkspace(input: { workspace: string }): Promise<string> {
      return registerWorkspace(store, input);
    },
    async configureCheckpointModule(input: {
      moduleId: string;
      config: Partial<ModuleConfig>;
    }): Promise<ModuleConfig> {
      return store.configureModule(input.moduleId, input.config);
    },
  };
};

export type CheckpointStoreActivities = ReturnType<typeof createCheckpointActivities>;
