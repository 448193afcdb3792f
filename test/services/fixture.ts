/**
 * A real served module for the service tests: examples/mathlib copied,
 * checkpointed, patched; the swap tests' serve workflow started, awaited and stopped.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import { expect } from 'vitest';
import { createCheckpointActivities } from '../../activities/checkpoints/activities';
import { ownedProcesses } from '../../activities/infra/processes';
import {
  serveModule,
  serveStatusQuery,
  stopServeUpdate,
  type ServeInput,
  type ServeStatus,
} from '../../workflows/services/serve';
import { taskQueueFor, type TestEnv } from '../helpers';

const EXAMPLES = path.join(__dirname, '..', '..', 'examples');

export function copyExample(dir: string): string {
  const workspace = path.join(dir, 'mathlib');
  cpSync(path.join(EXAMPLES, 'mathlib'), workspace, { recursive: true });
  return workspace;
}

/** Applies one of examples/mathlib-service-patches to the workspace. */
export function applyServicePatch(workspace: string, name: string): void {
  execFileSync('git', ['apply', path.join(EXAMPLES, 'mathlib-service-patches', name)], {
    cwd: workspace,
    stdio: 'pipe',
  });
}

export async function checkpoint(dataDir: string, workspace: string, moduleId: string) {
  return createCheckpointActivities({ dataDir }).createCheckpoint({ workspace, moduleId });
}

/** The release the service on `port` reports, or null when nothing answers. */
export async function releaseOn(port: number): Promise<string | null> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/release`, {
      signal: AbortSignal.timeout(2000),
    });
    return ((await res.json()) as { release: string }).release;
  } catch {
    return null;
  }
}

/** Live service processes of the module under this data dir (one per copy: the group leaders). */
export async function serviceProcesses(dataDir: string, moduleId: string) {
  return (await ownedProcesses()).filter(
    (p) => p.dataDir === dataDir && p.owner.startsWith(`service:${moduleId}:`) && p.pgid === p.pid,
  );
}

export function serviceSource(workspace: string): string {
  return readFileSync(path.join(workspace, 'service.js'), 'utf8');
}

/** Two copies side by side on free ports, a short health window. */
export const SIDE_BY_SIDE = {
  serve: 'node service.js',
  health: 'http://127.0.0.1:{port}/health',
  healthWindowSec: 3,
  healthIntervalSec: 0.5,
  healthFailureThreshold: 2,
};

export interface ServiceWorld {
  dataDir: string;
  workspace: string;
  moduleId: string;
  taskQueue: string;
}

/** A fresh copy of the example with its own data dir and queue, checkpointed as v1 (active). */
export async function serviceWorld(env: TestEnv, name: string): Promise<ServiceWorld> {
  const dir = env.tempDir(`ratchet-swap-${name}-`);
  const dataDir = env.tempDir('ratchet-swap-data-');
  const workspace = copyExample(dir);
  const moduleId = `svc-${name}`;
  await checkpoint(dataDir, workspace, moduleId); // v1, active
  return { dataDir, workspace, moduleId, taskQueue: taskQueueFor(`swap-${name}`) };
}

/** Marks a version active in the module's lineage, as an accepted cycle would. */
export async function activate(w: ServiceWorld, version: string): Promise<void> {
  await createCheckpointActivities({ dataDir: w.dataDir }).setVersionStatus({
    moduleId: w.moduleId,
    version,
    status: 'active',
  });
}

/** The lineage entry of one version (status, revert record), if any. */
export async function versionEntry(w: ServiceWorld, version: string) {
  const lineage = await createCheckpointActivities({ dataDir: w.dataDir }).getLineage({
    moduleId: w.moduleId,
  });
  return lineage.find((v) => v.version === version);
}

export type ServeHandle = WorkflowHandle<typeof serveModule>;

/** Starts `serve-<module>` on the world's queue (a worker must be polling it). */
export function startServing(
  env: TestEnv,
  w: ServiceWorld,
  service: ServeInput['service'] = SIDE_BY_SIDE,
): Promise<ServeHandle> {
  return env.client.workflow.start(serveModule, {
    taskQueue: w.taskQueue,
    workflowId: `serve-${w.moduleId}`,
    args: [{ moduleId: w.moduleId, workspace: w.workspace, service } satisfies ServeInput],
  });
}

/** Waits until the served copy answers; its status then. */
export async function serving(handle: ServeHandle): Promise<ServeStatus> {
  let status: ServeStatus | undefined;
  await expect
    .poll(
      async () => {
        status = await handle.query(serveStatusQuery);
        return status.port !== null && (await releaseOn(status.port)) !== null;
      },
      { timeout: 30_000, interval: 200 },
    )
    .toBe(true);
  return status!;
}

/** `serve stop`, the workflow's end, and no service process of the module left. */
export async function stopServing(handle: ServeHandle, w: ServiceWorld): Promise<void> {
  await handle.executeUpdate(stopServeUpdate);
  await handle.result();
  await expect.poll(() => serviceProcesses(w.dataDir, w.moduleId)).toHaveLength(0);
}

export async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}
