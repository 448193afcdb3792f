/**
 * The checkpoint store as a library: plain async functions over a
 * CheckpointStore. The activities (createCheckpointActivities) and the CLI
 * (`ratchet checkpoint …`, `ratchet versions …`) both call these.
 */
export {
  CheckpointStore,
  ModuleConfig,
  treeChecksum,
  type Manifest,
  type ModuleState,
  type Progress,
} from './store';
export { createCheckpoint } from './create';
export { restoreCheckpoint } from './restore';
export { validateRecord, verifyObjects } from './validate';
export { cleanupCheckpoints, type CleanupOptions, type CleanupResult } from './cleanup';
export { assessCompatibility, type AssessCompatibilityInput } from './compatibility';
export { extractTsInterface, findEntryPoint } from './tsInterface';
export {
  findRollbackTarget,
  getLineage,
  listCheckpoints,
  setVersionStatus,
  recordRevert,
  tagVersion,
  toVersionRecord,
} from './lineage';
export { registerWorkspace, workspaceChecksum } from './workspace';
export { storeSize } from './storeSize';

import type { CheckpointValidation } from '../../domain/checkpointStore';
import type { CheckpointStore } from './store';
import { validateRecord } from './validate';

/** Validates one checkpoint by id (CheckpointNotFound when it does not exist). */
export async function validateCheckpoint(
  store: CheckpointStore,
  checkpointId: string,
  progress?: (step: string) => void,
): Promise<CheckpointValidation> {
  const record = await store.getCheckpoint(checkpointId);
  const { manifest: _manifest, ...validation } = await store.withLock(() =>
    validateRecord(store, record, progress),
  );
  return validation;
}
