/**
 * A verified rollback, and what happens when it fails:
 *
 *   restore target → verify (tree checksum, smoke command)
 *     └─ failed → cascading rollback along rollbackTarget (≤ maxRollbackAttempts)
 *          └─ exhausted → failure recovery to the newest `stable` version
 *               └─ failed → needs attention (the cycle waits for an operator)
 *
 * Every step is an activity, so a worker crash mid-rollback resumes where it stopped.
 */
import { ApplicationFailure } from '@temporalio/workflow';
import { knownGoodVersion } from '../../domain/evolution/recovery';
import { rollbackTarget } from '../../domain/lineage';
import type { VersionRecord } from '../../domain/versions';
import { commands, patches, store } from './activities';
import type { StepContext } from './context';
import { boundedLabel, revertReasonOf } from '../../domain/metrics';
import { versionMetrics } from './metrics';
import { sandboxOf } from '../../domain/sandbox';

export interface RollbackOutcome {
  ok: boolean;
  /** The version the workspace now holds (active), when ok. */
  version: VersionRecord | null;
  stage: 'direct' | 'cascade' | 'recovery' | 'exhausted';
  /** Every version tried, in order. */
  chain: string[];
}

function describe(err: unknown): string {
  if (err instanceof ApplicationFailure) return `${err.type ?? 'error'}: ${err.message}`;
  const cause = (err as { cause?: unknown }).cause;
  if (cause instanceof ApplicationFailure) return `${cause.type ?? 'error'}: ${cause.message}`;
  return err instanceof Error ? err.message : String(err);
}

/** Restore one version and prove the workspace equals it. */
async function restoreAndVerify(ctx: StepContext, target: VersionRecord): Promise<boolean> {
  const { config } = ctx;
  try {
    await patches.prepareWorkspace({ workspace: config.workspace });
    await store.restoreCheckpoint({
      checkpointId: target.checkpointId,
      workspace: config.workspace,
    });
  } catch (err) {
    ctx.emit('ROLLBACK_FAILED', { version: target.version, error: describe(err) });
    return false;
  }
  const checksum = await store.workspaceChecksum({
    workspace: config.workspace,
    moduleId: config.moduleId,
  });
  const problems: string[] = [];
  if (checksum !== target.checksum) problems.push(`tree checksum ${checksum} ≠ ${target.checksum}`);
  if (problems.length === 0 && config.smokeCommand) {
    const smoke = await commands(config.evaluation.commandTimeoutSec).runSmokeCheck({
      workspace: config.workspace,
      command: config.smokeCommand,
      timeoutSec: config.evaluation.commandTimeoutSec,
      sandbox: sandboxOf(config),
    });
    if (!smoke.passed)
      problems.push(
        `smoke command failed (exit ${smoke.exitCode}): ${smoke.outputTail.slice(-300)}`,
      );
  }
  if (problems.length) {
    ctx.emit('ROLLBACK_VERIFICATION_FAILED', { version: target.version, problems });
    return false;
  }
  ctx.emit('ROLLBACK_VERIFICATION_PASSED', { version: target.version, checksum });
  return true;
}

async function makeActive(target: VersionRecord): Promise<VersionRecord> {
  if (target.status === 'active') return target;
  return store.setVersionStatus({
    moduleId: target.moduleId,
    version: target.version,
    status: 'active',
  });
}

export async function rollbackWithRecovery(
  ctx: StepContext,
  target: VersionRecord,
  reason: string,
): Promise<RollbackOutcome> {
  const { config } = ctx;
  ctx.step('rollback');
  ctx.emit('ROLLBACK_INITIATED', { to: target.version, reason });
  versionMetrics().rollbacks.add(1, {
    module_id: boundedLabel('module_id', config.moduleId),
    reason: revertReasonOf(reason),
  });
  const chain = [target.version];
  if (await restoreAndVerify(ctx, target)) {
    const version = await makeActive(target);
    ctx.emit('ROLLBACK_COMPLETED', { version: target.version, verified: true });
    return { ok: true, version, stage: 'direct', chain };
  }
  await store.setVersionStatus({
    moduleId: config.moduleId,
    version: target.version,
    status: 'quarantined',
  });

  ctx.step('cascading-rollback');
  ctx.emit('CASCADING_ROLLBACK_STARTED', {
    from: target.version,
    maxAttempts: config.maxRollbackAttempts,
  });
  let from = target.version;
  for (let attempt = 1; attempt <= config.maxRollbackAttempts; attempt++) {
    const lineage = await store.getLineage({ moduleId: config.moduleId });
    const next = rollbackTarget(lineage, { from, exclude: chain });
    if (!next) break;
    chain.push(next.version);
    ctx.emit('ROLLBACK_INITIATED', { to: next.version, reason: 'cascading rollback', attempt });
    if (await restoreAndVerify(ctx, next)) {
      const version = await makeActive(next);
      ctx.emit('ROLLBACK_COMPLETED', { version: next.version, verified: true });
      ctx.emit('CASCADING_ROLLBACK_COMPLETED', { version: next.version, attempts: attempt, chain });
      return { ok: true, version, stage: 'cascade', chain };
    }
    await store.setVersionStatus({
      moduleId: config.moduleId,
      version: next.version,
      status: 'quarantined',
    });
    from = next.version;
  }

  ctx.step('failure-recovery');
  const lineage = await store.getLineage({ moduleId: config.moduleId });
  const stable = knownGoodVersion(lineage, chain);
  ctx.emit('FAILURE_RECOVERY_STARTED', { tried: chain, knownGood: stable?.version ?? null });
  if (stable) {
    chain.push(stable.version);
    if (await restoreAndVerify(ctx, stable)) {
      const version = await makeActive(stable);
      ctx.emit('ROLLBACK_COMPLETED', { version: stable.version, verified: true });
      ctx.emit('FAILURE_RECOVERY_COMPLETED', { version: stable.version, chain });
      return { ok: true, version, stage: 'recovery', chain };
    }
    await store.setVersionStatus({
      moduleId: config.moduleId,
      version: stable.version,
      status: 'quarantined',
    });
  }
  ctx.emit('NEEDS_ATTENTION', { tried: chain, reason: 'every rollback target failed' });
  return { ok: false, version: null, stage: 'exhausted', chain };
}
