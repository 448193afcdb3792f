/**
 * The second half of `npm start`: the evolved library served live
 * (examples/mathlib/service.js), then two releases hot-swapped in — one that
 * crashes a second after it starts (reverted, HEALTH_FAILURE) and a healthy
 * one (committed) — with the serve workflow's Web UI link.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { CheckpointStore, createCheckpoint } from '../activities/checkpoints';
import { workflowUiUrl, type Settings } from '../config/settings';
import { progress } from './output';
import { packageRoot } from './packageRoot';
import { serveStatus, startServe, stopServe, swapServe } from './services';

const PATCHES = path.join(packageRoot(), 'examples', 'mathlib-service-patches');

export async function runServeDemo(
  client: Client,
  settings: Settings,
  input: { moduleId: string; workspace: string },
): Promise<void> {
  const { moduleId, workspace } = input;
  const store = new CheckpointStore(settings.dataDir);
  const service = {
    serve: 'node service.js',
    health: 'http://127.0.0.1:{port}/health',
    healthWindowSec: 4,
    healthIntervalSec: 0.5,
    healthFailureThreshold: 2,
  };
  const { workflowId } = await startServe(client, settings.taskQueue, {
    moduleId,
    workspace,
    service,
  });
  progress('');
  progress(`Live versions: serving ${moduleId} (${workflowUiUrl(settings, workflowId)})`);
  const release = async (name: string, patch: string) => {
    // The ceiling keeps git from finding a repository above the workspace (the demo's
    // sits inside the ratchet clone), where it would skip paths "outside" it in silence.
    execFileSync('git', ['apply', path.join(PATCHES, patch)], {
      cwd: workspace,
      stdio: 'pipe',
      env: { ...process.env, GIT_CEILING_DIRECTORIES: path.dirname(workspace) },
    });
    const version = (await createCheckpoint(store, { workspace, moduleId })).version;
    progress(`  ${name}: ${version}, hot swap…`);
    const result = await swapServe(client, moduleId, version);
    for (const e of result.events)
      progress(`    ${e.type} ${e.type === 'SWAP_HEALTH_CHECK' ? JSON.stringify(e.data) : ''}`);
    const status = await serveStatus(client, moduleId);
    const lineage = await store.readModule(moduleId);
    const record = lineage?.versions.find((v) => v.version === version);
    progress(
      `    → ${result.outcome}; serving ${status.version}${record?.revert ? `; ${version} ${record.status} (${record.revert.reason})` : ''}`,
    );
  };
  await release(
    'a release that crashes a second after start',
    '02-release-2-crashes-after-start.patch',
  );
  await release('a healthy release', '01-release-2-healthy.patch');
  const status = await serveStatus(client, moduleId);
  progress(
    `  http://127.0.0.1:${status.port}/release answers ${status.version}; ratchet serve status ${moduleId}`,
  );
  await stopServe(client, moduleId);
}
