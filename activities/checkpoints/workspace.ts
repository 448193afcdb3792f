/** Workspace-level operations: its checksum now, and registering it as a restore target. */
import { ModuleId } from '../../domain/versions';
import { assertNotDangerous, resolveWorkspace } from './safety';
import { stageWorkspace } from './snapshot';
import type { CheckpointStore } from './store';

/** The tree checksum the workspace would get as a checkpoint now (module exclusions applied). */
export async function workspaceChecksum(
  store: CheckpointStore,
  input: { workspace: string; moduleId: string },
): Promise<string> {
  const moduleId = ModuleId.parse(input.moduleId);
  const workspace = resolveWorkspace(input.workspace);
  assertNotDangerous(store, workspace);
  // Staging writes blobs and the index: same lock as a checkpoint.
  return store.withLock(async () => (await stageWorkspace(store, moduleId, workspace)).checksum);
}

/** Allows restores into `workspace` (e.g. a fresh directory to materialize a checkpoint in). */
export async function registerWorkspace(
  store: CheckpointStore,
  input: { workspace: string },
): Promise<string> {
  const workspace = resolveWorkspace(input.workspace);
  assertNotDangerous(store, workspace);
  await store.withLock(() => store.registerWorkspaceLocked(workspace));
  return workspace;
}
