/**
 * A verified rollback, and what happens when it fails:
 *
 *   restore target → verify (tree checksum, smoke command)
 *     └─ failed → cascading rollback along rollbackTarget (≤ maxRollbackAttempts)
 *          └─ exhausted → failure recovery to the newest `stable` version
 *               └─ failed → needs attention (the cycle waits for an operator)
 *
 * The seeds' switches (behind patched(), so recorded histories replay):
 * `enableCascadingRollback: false` skips the cascade, `enableRollbackFailureRecovery:
 * false` skips the recovery, and recovery tries up to 3 known-good versions, newest first.
 *
 * Every step is an activity, so a worker crash mid-rollback resumes where it stopped.
 */
import {
  ApplicationFailure,
  CancellationScope,
  isCancellation,
  patched,
} from '@temporalio/workflow';
import { knownGoodVersions } from '../../domain/evolution/recovery';
import { rollbackTarget } from '../../domain/lineage';
import type { VersionRecord } from '../../domain/versions';
import { commands, patches, store } from './activities';
import type { StepContext } from './context';
import { boundedLabel, revertReasonOf } from '../../domain/metrics';
import { versionMetrics } from './metrics';
import { sandboxOf } from '../../domain/sandbox';

const NO_CASCADE_PATCH = 'seed-switch-no-cascade';
const NO_RECOVERY_PATCH = 'seed-switch-no-recovery';
const KNOWN_GOOD_PATCH = 'seed-known-good-versions';
const ROLLBACK_TIMEOUT_PATCH = 'seed-switch-rollback-timeout';

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

/**
 * `rollbackTimeoutSec` (the seeds' ceiling on one rollback): past it the
 * rollback's activities are cancelled and the cycle parks for an operator.
 */
export async function rollbackWithRecovery(
  ctx: StepContext,
  target: VersionRecord,
  reason: string,
): Promise<RollbackOutcome> {
  const limitSec = ctx.config.rollbackTimeoutSec;
  if (limitSec === undefined || !patched(ROLLBACK_TIMEOUT_PATCH))
    return rollbackSteps(ctx, target, reason);
  try {
    return await CancellationScope.withTimeout(limitSec * 1000, () =>
      rollbackSteps(ctx, target, reason),
    );
  } catch (err) {
    // Only our own timeout parks the cycle; an operator's cancellation goes on up.
    if (!isCancellation(err) || CancellationScope.current().consideredCancelled) throw err;
    ctx.emit('NEEDS_ATTENTION', {
      tried: [target.version],
      reason: `rollback timed out after ${limitSec}s (rollbackTimeoutSec)`,
    });
    return { ok: false, version: null, stage: 'exhausted', chain: [target.version] };
  }
}

async function rollbackSteps(
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

  // Strict `=== false`: configs recorded before the switches existed lack the keys.
  const skipped: string[] = [];
  if (config.enableCascadingRollback === false && patched(NO_CASCADE_PATCH))
    skipped.push('enableCascadingRollback: false');
  else {
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
        ctx.emit('CASCADING_ROLLBACK_COMPLETED', {
          version: next.version,
          attempts: attempt,
          chain,
        });
        return { ok: true, version, stage: 'cascade', chain };
      }
      await store.setVersionStatus({
        moduleId: config.moduleId,
        version: next.version,
        status: 'quarantined',
      });
      from = next.version;
    }
  }

  if (config.enableRollbackFailureRecovery === false && patched(NO_RECOVERY_PATCH))
    skipped.push('enableRollbackFailureRecovery: false');
  else {
    const recovered = await failureRecovery(ctx, chain);
    if (recovered) return recovered;
  }
  ctx.emit('NEEDS_ATTENTION', {
    tried: chain,
    reason: 'every rollback target failed',
    ...(skipped.length ? { skipped } : {}),
  });
  return { ok: false, version: null, stage: 'exhausted', chain };
}

/** Several known-good targets, newest first; one corrupt stable checkpoint does not end it. */
async function failureRecovery(ctx: StepContext, chain: string[]): Promise<RollbackOutcome | null> {
  const { config } = ctx;
  ctx.step('failure-recovery');
  const lineage = await store.getLineage({ moduleId: config.moduleId });
  // Histories recorded before the patch tried the single newest stable version.
  const limit = patched(KNOWN_GOOD_PATCH) ? 3 : 1;
  const targets = knownGoodVersions(lineage, chain, { limit });
  ctx.emit('FAILURE_RECOVERY_STARTED', {
    tried: [...chain],
    knownGood: targets[0]?.version ?? null,
    candidates: targets.map((v) => v.version),
  });
  for (const stable of targets) {
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
  return null;
}
