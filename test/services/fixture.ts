/** A real served module for the swap tests: examples/mathlib copied, checkpointed, patched. */
import { execFileSync } from 'node:child_process';
import { cpSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { createCheckpointActivities } from '../../activities/checkpoints/activities';
import { ownedProcesses } from '../../activities/infra/processes';

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
