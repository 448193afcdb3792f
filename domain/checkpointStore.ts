/**
 * The checkpoint store's activity interface, as workflows call it. The
 * implementation lives in activities/checkpoints/ (git as the object store,
 * under the data dir); this file is the contract both sides build against.
 */
import type {
  CheckpointRecord,
  CompatibilityReport,
  VersionRecord,
  VersionStatus,
} from './versions';

export interface CreateCheckpointInput {
  workspace: string;
  moduleId: string;
  /** Parent in the lineage; default: the module's active version (null for the first). */
  parentVersion?: string | null;
  tags?: string[];
  /** @default 'active' for the first version of a module, else 'accepted' */
  status?: VersionStatus;
  metadata?: Record<string, unknown>;
  /**
   * The guide's lane and step (`checkpoint create --lane L --step-number N
   * --step-name S`): recorded as `metadata.lane`, `.step`, `.stepName` and the
   * guide-style label `<lane>-step<N>-<YYYYMMDD_HHMMSS>`, so checkpoints can be
   * listed by lane and step and found by that label.
   */
  step?: { lane: string; number: number; name: string };
}

/** The guide's checkpoint label, e.g. `standard-step3-20251024_143045` (UTC). */
export function laneStepLabel(lane: string, stepNumber: number, at: Date): string {
  const iso = at.toISOString(); // 2025-10-24T14:30:45.123Z
  const stamp = `${iso.slice(0, 10).replace(/-/g, '')}_${iso.slice(11, 19).replace(/:/g, '')}`;
  return `${lane}-step${stepNumber}-${stamp}`;
}

/** Whether a checkpoint's metadata matches `--lane` / `--step` (a number or a step name). */
export function matchesLaneStep(
  metadata: Record<string, unknown>,
  filter: { lane?: string; step?: string },
): boolean {
  if (filter.lane !== undefined && metadata.lane !== filter.lane) return false;
  if (filter.step === undefined) return true;
  return /^\d+$/.test(filter.step)
    ? metadata.step === Number(filter.step)
    : metadata.stepName === filter.step;
}

export interface RestoreCheckpointInput {
  checkpointId: string;
  /** Default: the workspace the checkpoint was taken from. */
  workspace?: string;
}

export interface RestoreResult {
  checkpointId: string;
  workspace: string;
  /** Tree checksum of the workspace after the restore. */
  checksum: string;
  filesWritten: number;
  filesRemoved: number;
}

export interface CheckpointValidation {
  checkpointId: string;
  ok: boolean;
  problems: string[];
}

/**
 * Failure types the store throws as non-retryable ApplicationFailures, so
 * workflows can branch on them.
 */
export const CheckpointFailure = {
  corrupted: 'CheckpointCorrupted',
  notFound: 'CheckpointNotFound',
  dangerousTarget: 'DangerousRestoreTarget',
  invalidInput: 'InvalidCheckpointInput',
} as const;

export interface CheckpointActivities {
  createCheckpoint(input: CreateCheckpointInput): Promise<CheckpointRecord>;
  /** Refuses (non-retryable) a corrupted checkpoint or a dangerous target; touches nothing then. */
  restoreCheckpoint(input: RestoreCheckpointInput): Promise<RestoreResult>;
  validateCheckpoint(input: { checkpointId: string }): Promise<CheckpointValidation>;
  /** The tree checksum of the workspace as it is now, with the module's exclusions. */
  workspaceChecksum(input: { workspace: string; moduleId: string }): Promise<string>;
  getLineage(input: { moduleId: string }): Promise<VersionRecord[]>;
  /** Setting `active` demotes the previous active version to `accepted`. */
  setVersionStatus(input: {
    moduleId: string;
    version: string;
    status: VersionStatus;
  }): Promise<VersionRecord>;
  tagVersion(input: { moduleId: string; version: string; tag: string }): Promise<VersionRecord>;
  /** Public interface of `fromVersion` against `toVersion` (or the workspace as it is now). */
  assessCompatibility(input: {
    moduleId: string;
    fromVersion: string;
    toVersion?: string;
    workspace?: string;
  }): Promise<CompatibilityReport>;
}
