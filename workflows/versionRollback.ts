/**
 * `ratchet versions rollback MODULE [--to vN] --reason TEXT`: the cycle's
 * rollback when no cycle runs (workflow `versions-rollback-<module>-…`).
 *
 *   active version → target (--to, or the seeds' walk with its fallback)
 *   → restore, verify (checksum, smoke), cascade, recover to stable
 *     (workflows/evolution/rollback.ts, through services/revert.ts)
 *   → the reverted version marked `reverted` with its reason
 *   → a running `ratchet serve` of the module follows to the restored version
 */
import { ApplicationFailure, getExternalWorkflowHandle } from '@temporalio/workflow';
import { activeVersion, unsafeTargetReason } from '../domain/lineage';
import type { RevertReasonCode } from '../domain/versions';
import { lineage } from './services/activities';
import { revertVersion, type RevertResult } from './services/revert';
import { followSignal, serveWorkflowId } from './services/serve';

export interface VersionRollbackInput {
  moduleId: string;
  workspace: string;
  to?: string;
  reason: RevertReasonCode;
  detail: string;
  smokeCommand?: string;
}

export interface VersionRollbackResult extends RevertResult {
  /** Whether a running serve workflow was told to follow. */
  serviceFollowed: boolean;
}

export async function versionRollback(input: VersionRollbackInput): Promise<VersionRollbackResult> {
  const versions = await lineage.getLineage({ moduleId: input.moduleId });
  const active = activeVersion(versions);
  const refuse = (message: string) =>
    ApplicationFailure.create({ type: 'InvalidRollback', message, nonRetryable: true });
  if (!active) throw refuse(`module ${input.moduleId} has no active version to roll back`);
  if (input.to !== undefined) {
    const target = versions.find((v) => v.version === input.to);
    if (!target) throw refuse(`module ${input.moduleId} has no version ${input.to}`);
    if (target.version === active.version) throw refuse(`${input.to} is already active`);
    const unsafe = unsafeTargetReason(target);
    if (unsafe) throw refuse(`cannot roll back to ${unsafe}`);
  }
  const result = await revertVersion({
    moduleId: input.moduleId,
    workspace: input.workspace,
    version: active.version,
    ...(input.to ? { to: input.to } : {}),
    reason: input.reason,
    detail: input.detail,
    ...(input.smokeCommand ? { smokeCommand: input.smokeCommand } : {}),
  });
  let serviceFollowed = false;
  if (result.ok && result.restoredTo) {
    try {
      await getExternalWorkflowHandle(serveWorkflowId(input.moduleId)).signal(followSignal, {
        version: result.restoredTo,
      });
      serviceFollowed = true;
    } catch {
      // No service running for this module: nothing to move.
    }
  }
  return { ...result, serviceFollowed };
}
