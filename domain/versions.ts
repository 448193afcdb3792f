/**
 * The shared vocabulary of checkpoints and version lineage. Types and schemas
 * only — the checkpoint store (activities/) and the workflows both speak it.
 */
import { z } from 'zod';
import { REVERT_REASONS } from './metrics';

export const VersionStatus = z.enum([
  'active',
  'accepted',
  'rejected',
  'rolled_back',
  'quarantined',
  'pending_approval',
  /** Accepted, then taken back after it was live (a failed health check, a manual rollback). */
  'reverted',
]);
export type VersionStatus = z.infer<typeof VersionStatus>;

/** Ids users type: letters, digits, dot, dash, underscore; no path tricks. */
export const ModuleId = z
  .string()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/,
    'module ids are 1–64 letters, digits, ".", "_" or "-"',
  );
export type ModuleId = z.infer<typeof ModuleId>;

/** One version of a module, as the lineage records it. `version` is `v1`, `v2`, … per module. */
export interface VersionRecord {
  moduleId: string;
  version: string;
  /** The checkpoint holding this version's tree (`<moduleId>@<version>`). */
  checkpointId: string;
  /** Tree checksum of the workspace at this version (excluded paths left out). */
  checksum: string;
  /** ISO-8601. */
  timestamp: string;
  parentVersion: string | null;
  tags: string[];
  status: VersionStatus;
  /** false when the version failed verification (a rollback never lands on it). */
  verified?: boolean;
  /** Its checkpoint was removed by cleanup; the record stays so the lineage stays walkable. */
  pruned?: boolean;
  /** Why it was reverted (status `reverted`): the closed reason plus free text. */
  revert?: RevertRecord;
}

/** Why a version was reverted (domain/metrics.ts's REVERT_REASONS), shared by every revert path. */
export const RevertReason = z.enum(REVERT_REASONS);

export interface RevertRecord {
  reason: RevertReasonCode;
  /** Free text for people; metrics and search attributes use `reason` only. */
  detail: string;
  /** ISO-8601. */
  at: string;
  /** The version the module went back to, when the rollback landed. */
  restoredTo: string | null;
}
export type RevertReasonCode = z.infer<typeof RevertReason>;

/** A checkpoint is a version plus what the store knows about the snapshot. */
export interface CheckpointRecord extends VersionRecord {
  id: string;
  workspace: string;
  /** The workspace's own git commit and branch, when it is a git repository. */
  gitCommit: string | null;
  gitBranch: string | null;
  files: number;
  /** Bytes of new objects this checkpoint added to the store (incremental cost). */
  bytesAdded: number;
  /** Free-form: test results, metrics, step name, lane… */
  metadata: Record<string, unknown>;
  /** sha256 of the checkpoint's manifest file, so a tampered manifest is detected. */
  manifestDigest?: string;
}

export const CompatibilityLevel = z.enum(['COMPATIBLE', 'MINOR_CHANGE', 'BREAKING', 'UNKNOWN']);
export type CompatibilityLevel = z.infer<typeof CompatibilityLevel>;

export interface CompatibilityReport {
  moduleId: string;
  fromVersion: string;
  toVersion: string;
  level: CompatibilityLevel;
  /** Human-readable lines: what was added, removed or changed. */
  rationale: string[];
  added: string[];
  removed: string[];
  changed: string[];
  approvedBy: string | null;
}

/** The seed's VersionManagerConfig, per module. */
export const VersionManagerConfig = z.object({
  maxCheckpoints: z.number().int().min(1).default(50),
  requireApproval: z.boolean().default(false),
  rejectBreaking: z.boolean().default(false),
  autoRollbackOnBreaking: z.boolean().default(false),
});
export type VersionManagerConfig = z.infer<typeof VersionManagerConfig>;
