/**
 * Steps of an iteration that read as one idea each: the checkpoint
 * (the judge is judgeWindow.ts), compatibility, accepting, and what happens when the infrastructure
 * (not the candidate) fails.
 */
import { ActivityFailure, ApplicationFailure } from '@temporalio/workflow';
import type { IterationRecord } from '../../domain/evolution/results';
import type { CompatibilityReport, VersionRecord } from '../../domain/versions';
import type { Saga } from '../saga/engine';
import { store } from './activities';
import type { StepContext } from './context';
import type { IterationInput, IterationOutcome, IterationUsage } from './iterationTypes';
import { versionMetrics } from './metrics';
import { rollbackWithRecovery, type RollbackOutcome } from './rollback';

/** A terminal error is the infrastructure's (candidate failures are results, not errors). */
function describeError(err: unknown): string {
  const cause = err instanceof ActivityFailure && err.cause ? err.cause : err;
  if (cause instanceof ApplicationFailure) return `${cause.type ?? 'error'}: ${cause.message}`;
  return cause instanceof Error ? cause.message : String(cause);
}

/**
 * Not the candidate's doing (store, git, disk): restore the checkpoint when possible (verified),
 * then park the cycle for an operator with the error. Without a checkpoint (`pre` null: taking
 * it failed) nothing was changed, and nothing is restored.
 */
export async function infrastructureFailed(
  ctx: StepContext,
  saga: Saga | null,
  pre: VersionRecord | null,
  record: IterationRecord,
  usage: IterationUsage,
  err: unknown,
): Promise<IterationOutcome> {
  const error = describeError(err);
  saga?.clear();
  record.decision = record.version ? 'rolled_back' : 'rejected';
  record.reason = `infrastructure failure: ${error}`;
  record.rollbackPerformed = pre !== null;
  let rollback: RollbackOutcome = { ok: false, version: null, stage: 'exhausted', chain: [] };
  if (pre) {
    try {
      rollback = await rollbackWithRecovery(ctx, pre, record.reason);
    } catch (rollbackErr) {
      ctx.emit('ROLLBACK_FAILED', { version: pre.version, error: describeError(rollbackErr) });
      rollback = { ok: false, version: null, stage: 'exhausted', chain: [pre.version] };
    }
  }
  ctx.emit('NEEDS_ATTENTION', { reason: 'infrastructure failure', error, restored: rollback.ok });
  ctx.emit('ITERATION_COMPLETED', { decision: record.decision, reason: record.reason });
  return { kind: 'needs_attention', record, rollback, usage, error };
}

/** The workspace must equal the active version before anything changes it. */
export async function checkpointStep(
  input: IterationInput,
  ctx: StepContext,
): Promise<VersionRecord> {
  const { config } = input;
  ctx.step('checkpoint');
  let pre = input.active;
  const checksum = await store.workspaceChecksum({
    workspace: config.workspace,
    moduleId: config.moduleId,
  });
  if (checksum !== pre.checksum) {
    const cp = await store.createCheckpoint({
      workspace: config.workspace,
      moduleId: config.moduleId,
      parentVersion: pre.version,
      metadata: { reason: 'workspace changed outside ratchet', iteration: input.index },
    });
    pre = await store.setVersionStatus({
      moduleId: config.moduleId,
      version: cp.version,
      status: 'active',
    });
    versionMetrics().checkpoints.add(1, { module_id: config.moduleId });
  }
  ctx.emit('CHECKPOINT_CREATED', {
    version: pre.version,
    checkpointId: pre.checkpointId,
    reused: pre === input.active,
  });
  return pre;
}

/** Make the candidate the active version (demoting the previous one). */
export async function acceptVersion(
  ctx: StepContext,
  candidate: VersionRecord,
  reason: string,
): Promise<VersionRecord> {
  const version = await store.setVersionStatus({
    moduleId: candidate.moduleId,
    version: candidate.version,
    status: 'active',
  });
  ctx.emit('VERSION_ACCEPTED', {
    version: candidate.version,
    parent: candidate.parentVersion,
    reason,
  });
  return version;
}

/** The package's exported API before and after the candidate. */
export async function compatibilityStep(
  ctx: StepContext,
  record: IterationRecord,
  pre: VersionRecord,
  candidate: VersionRecord,
): Promise<CompatibilityReport> {
  const { config } = ctx;
  ctx.step('compatibility');
  const compatibility = await store.assessCompatibility({
    moduleId: config.moduleId,
    fromVersion: pre.version,
    toVersion: candidate.version,
    workspace: config.workspace,
  });
  record.compatibility = compatibility.level;
  if (compatibility.level === 'BREAKING')
    versionMetrics().breakingChanges.add(1, { module_id: config.moduleId });
  ctx.emit('COMPATIBILITY_ASSESSED', {
    level: compatibility.level,
    rationale: compatibility.rationale,
  });
  return compatibility;
}
