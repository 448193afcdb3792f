/** Reading and updating a module's lineage: statuses, tags, rollback targets. */
import { CheckpointFailure } from '../../domain/checkpointStore';
import { checkpointIdOf, rollbackTarget, type RollbackTargetOptions } from '../../domain/lineage';
import {
  ModuleId,
  RevertReason,
  VersionStatus,
  type CheckpointRecord,
  type RevertRecord,
  type VersionRecord,
} from '../../domain/versions';
import { failure, type CheckpointStore, type ModuleState } from './store';

/** The version part of a record (what the lineage shows). */
export function toVersionRecord(c: CheckpointRecord): VersionRecord {
  const v: VersionRecord = {
    moduleId: c.moduleId,
    version: c.version,
    checkpointId: c.checkpointId,
    checksum: c.checksum,
    timestamp: c.timestamp,
    parentVersion: c.parentVersion,
    tags: c.tags,
    status: c.status,
  };
  if (c.verified !== undefined) v.verified = c.verified;
  if (c.pruned) v.pruned = true;
  if (c.revert) v.revert = c.revert;
  return v;
}

export async function getLineage(
  store: CheckpointStore,
  moduleId: string,
): Promise<VersionRecord[]> {
  const state = await store.readModule(ModuleId.parse(moduleId));
  return (state?.versions ?? []).map(toVersionRecord);
}

export async function listCheckpoints(
  store: CheckpointStore,
  moduleId?: string,
): Promise<CheckpointRecord[]> {
  const modules = moduleId ? [ModuleId.parse(moduleId)] : await store.listModules();
  const all: CheckpointRecord[] = [];
  for (const m of modules) {
    const state = await store.readModule(m);
    all.push(...(state?.versions ?? []).filter((v) => !v.pruned));
  }
  return all.sort((a, b) => b.timestamp.localeCompare(a.timestamp));
}

/** Loads the module, applies `change` to one version under the lock, saves, returns it. */
async function updateVersion(
  store: CheckpointStore,
  moduleId: string,
  version: string,
  change: (record: CheckpointRecord, state: ModuleState) => void,
): Promise<VersionRecord> {
  ModuleId.parse(moduleId);
  return store.withLock(async () => {
    const state = await store.readModule(moduleId);
    const record = state?.versions.find((v) => v.version === version);
    if (!state || !record) {
      throw failure(CheckpointFailure.notFound, `no version ${checkpointIdOf(moduleId, version)}`);
    }
    change(record, state);
    await store.writeModule(state);
    return toVersionRecord(record);
  });
}

/** Setting `active` demotes the previous active version to `accepted`. */
export function setVersionStatus(
  store: CheckpointStore,
  input: { moduleId: string; version: string; status: VersionStatus; verified?: boolean },
): Promise<VersionRecord> {
  const status = VersionStatus.parse(input.status);
  return updateVersion(store, input.moduleId, input.version, (record, state) => {
    if (status === 'active') {
      for (const v of state.versions)
        if (v.status === 'active' && v !== record) v.status = 'accepted';
    }
    record.status = status;
    if (input.verified !== undefined) record.verified = input.verified;
  });
}

/**
 * Marks a version `reverted` with its reason (closed enum) and free text. A
 * reverted version that was active stops being active: the caller has made
 * `restoredTo` active (or nothing, when the rollback failed).
 */
export function recordRevert(
  store: CheckpointStore,
  input: {
    moduleId: string;
    version: string;
    revert: RevertRecord;
    /** `rolled_back` where a cycle's manual rollback always said so. @default 'reverted' */
    status?: 'reverted' | 'rolled_back';
  },
): Promise<VersionRecord> {
  const reason = RevertReason.parse(input.revert.reason);
  return updateVersion(store, input.moduleId, input.version, (record) => {
    record.status = input.status ?? 'reverted';
    record.revert = { ...input.revert, reason };
  });
}

export function tagVersion(
  store: CheckpointStore,
  input: { moduleId: string; version: string; tag: string; remove?: boolean },
): Promise<VersionRecord> {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(input.tag)) {
    throw failure(CheckpointFailure.invalidInput, `"${input.tag}" is not a valid tag`);
  }
  return updateVersion(store, input.moduleId, input.version, (record) => {
    const tags = new Set(record.tags);
    if (input.remove) tags.delete(input.tag);
    else tags.add(input.tag);
    record.tags = [...tags];
  });
}

export async function findRollbackTarget(
  store: CheckpointStore,
  moduleId: string,
  options: RollbackTargetOptions = {},
): Promise<VersionRecord | null> {
  return rollbackTarget(await getLineage(store, moduleId), options);
}
