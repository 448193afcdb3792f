/**
 * Typed client functions for served modules and manual rollbacks: start
 * `ratchet serve`, read its status, swap, stop; run `versions rollback`;
 * the cross-module version stats.
 */
import { WorkflowIdReusePolicy, type Client } from '@temporalio/client';
import { listCheckpoints, type CheckpointStore } from '../activities/checkpoints';
import { serviceOf, type ServiceFields } from '../domain/services/settings';
import { REVERT_REASONS } from '../domain/metrics';
import type { RevertReasonCode } from '../domain/versions';
import {
  serveModule,
  serveStatusQuery,
  serveWorkflowId,
  stopServeUpdate,
  swapUpdate,
  type ServeStatus,
} from '../workflows/services/serve';
import type { SwapResult } from '../workflows/services/hotSwap';
import {
  versionRollback,
  type VersionRollbackInput,
  type VersionRollbackResult,
} from '../workflows/versionRollback';
import { pendingApprovals } from './pendingApprovals';

export { serveWorkflowId };

/** Starts `serve-<module>`; refuses (throws) when it already runs or the settings cannot be honoured. */
export async function startServe(
  client: Client,
  taskQueue: string,
  input: { moduleId: string; workspace: string; service: ServiceFields; smokeCommand?: string },
): Promise<{ workflowId: string; runId: string }> {
  if (!serviceOf(input.service)) throw new Error(`module ${input.moduleId} has no serve command`);
  const handle = await client.workflow.start(serveModule, {
    taskQueue,
    workflowId: serveWorkflowId(input.moduleId),
    workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
    args: [input],
  });
  return { workflowId: handle.workflowId, runId: handle.firstExecutionRunId };
}

export interface ServeStatusView extends ServeStatus {
  /** Seconds since the running pid started, or null. */
  uptimeSec: number | null;
  /** The serve workflow's own status (RUNNING, COMPLETED after `serve stop`, TERMINATED…). */
  workflowStatus: string;
}

export async function serveStatus(client: Client, moduleId: string): Promise<ServeStatusView> {
  const handle = client.workflow.getHandle(serveWorkflowId(moduleId));
  const [status, described] = await Promise.all([
    handle.query(serveStatusQuery),
    handle.describe(),
  ]);
  const uptimeSec = status.startedAt
    ? Math.max(0, Math.round((Date.now() - Date.parse(status.startedAt)) / 1000))
    : null;
  return { ...status, uptimeSec, workflowStatus: described.status.name };
}

export function swapServe(client: Client, moduleId: string, version: string): Promise<SwapResult> {
  return client.workflow
    .getHandle(serveWorkflowId(moduleId))
    .executeUpdate(swapUpdate, { args: [{ version }] });
}

export function stopServe(client: Client, moduleId: string): Promise<{ stopped: string | null }> {
  return client.workflow.getHandle(serveWorkflowId(moduleId)).executeUpdate(stopServeUpdate);
}

/** Running cycles on the module (a manual rollback is refused while one runs). */
export async function runningCycles(client: Client, moduleId: string): Promise<string[]> {
  const ids: string[] = [];
  const query = `WorkflowType = 'evolutionCycle' AND ExecutionStatus = 'Running'`;
  for await (const wf of client.workflow.list({ query }))
    if (wf.workflowId.startsWith(`evolve-${moduleId}-`)) ids.push(wf.workflowId);
  return ids;
}

export async function rollbackVersion(
  client: Client,
  taskQueue: string,
  input: VersionRollbackInput,
): Promise<VersionRollbackResult & { workflowId: string }> {
  const workflowId = `versions-rollback-${input.moduleId}-${Date.now().toString(36)}`;
  const result = await client.workflow.execute(versionRollback, {
    taskQueue,
    workflowId,
    args: [input],
  });
  return { ...result, workflowId };
}

export interface VersionStats {
  modules: number;
  versions: number;
  checkpoints: number;
  compatibilityRecords: number;
  /** Reverted versions by their closed reason; `rolled_back` statuses from before reasons were recorded count as UNRECORDED. */
  rollbacksByReason: Record<RevertReasonCode | 'UNRECORDED', number>;
  perModule: { moduleId: string; versions: number; active: string | null; reverted: number }[];
  /** Candidates waiting for approval across all running cycles; null when the server could not be asked. */
  pendingApprovals: number | null;
  serverError: string | null;
}

export async function versionStats(
  store: CheckpointStore,
  client: () => Promise<Client>,
): Promise<VersionStats> {
  const rollbacksByReason = Object.fromEntries(
    [...REVERT_REASONS, 'UNRECORDED'].map((r) => [r, 0]),
  ) as VersionStats['rollbacksByReason'];
  const stats: VersionStats = {
    modules: 0,
    versions: 0,
    checkpoints: (await listCheckpoints(store)).length,
    compatibilityRecords: 0,
    rollbacksByReason,
    perModule: [],
    pendingApprovals: null,
    serverError: null,
  };
  for (const moduleId of await store.listModules()) {
    const state = await store.readModule(moduleId);
    if (!state) continue;
    stats.modules++;
    stats.versions += state.versions.length;
    stats.compatibilityRecords += state.compatibility.length;
    let reverted = 0;
    for (const v of state.versions) {
      if (v.revert) rollbacksByReason[v.revert.reason]++;
      else if (v.status === 'rolled_back' || v.status === 'reverted')
        rollbacksByReason.UNRECORDED++;
      if (v.revert || v.status === 'rolled_back' || v.status === 'reverted') reverted++;
    }
    stats.perModule.push({
      moduleId,
      versions: state.versions.length,
      active: state.versions.find((v) => v.status === 'active')?.version ?? null,
      reverted,
    });
  }
  try {
    stats.pendingApprovals = (await pendingApprovals(await client())).pending.length;
  } catch (err) {
    stats.serverError = (err as Error).message;
  }
  return stats;
}
