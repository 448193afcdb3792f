/**
 * When the cycle cannot go on by itself: an operator's manual rollback, and
 * `needs_attention` — parked until an operator rolls back somewhere good or
 * says the workspace is fixed (resume).
 */
import { condition } from '@temporalio/workflow';
import type { RollbackRequest } from '../../domain/evolution/operator';
import { rollbackTarget } from '../../domain/lineage';
import { store } from './activities';
import { measureBaseline } from './baseline';
import { activeOf, emit, refreshLineage, setState, stepContext, type CycleRun } from './cycleState';
import { rollbackWithRecovery } from './rollback';
import { followService, revertManually } from './live';

/** An operator's rollback: to the named version, else to the nearest safe one before the active. */
export async function manualRollback(run: CycleRun, req: RollbackRequest): Promise<boolean> {
  const { config } = run;
  await refreshLineage(run);
  const previous = activeOf(run);
  const target = req.toVersion
    ? run.lineage.find((v) => v.version === req.toVersion)
    : rollbackTarget(run.lineage, { from: previous.version, exclude: [previous.version] });
  if (!target) {
    emit(run, 'ROLLBACK_FAILED', {
      reason: 'no safe rollback target',
      requested: req.toVersion ?? null,
    });
    return false;
  }
  const outcome = await rollbackWithRecovery(stepContext(run), target, `manual: ${req.reason}`);
  if (outcome.ok && outcome.version) {
    if (previous.version !== outcome.version.version && previous.status !== 'quarantined') {
      if (run.live)
        await revertManually(run, previous.version, outcome.version.version, req.reason);
      else
        await store.setVersionStatus({
          moduleId: config.moduleId,
          version: previous.version,
          status: 'rolled_back',
        });
    }
    run.active = outcome.version;
    await followService(run);
    await measureBaseline(run);
  }
  await refreshLineage(run);
  return outcome.ok;
}

/** Runs the operator's pending rollback request; parks in needs_attention when it fails. */
export async function handleRollbackRequest(run: CycleRun): Promise<void> {
  const req = run.inbox.rollbackRequest;
  if (!req) return;
  const ok = await manualRollback(run, req);
  run.inbox.rollbackRequest = undefined;
  if (!ok) await awaitOperator(run);
  await run.log.flush();
}

/** Park until an operator rolls back somewhere good or says the workspace is fixed. */
export async function awaitOperator(run: CycleRun): Promise<void> {
  const { config } = run;
  setState(run, 'needs_attention');
  run.step = 'needs-attention';
  await run.log.flush();
  for (;;) {
    await condition(() => run.inbox.rollbackRequest !== undefined || run.inbox.resumeRequested);
    const req = run.inbox.rollbackRequest;
    if (req) {
      const ok = await manualRollback(run, req);
      run.inbox.rollbackRequest = undefined;
      await run.log.flush();
      if (ok) break;
      continue;
    }
    // Resumed: the operator fixed the workspace by hand; it becomes the active version.
    run.inbox.resumeRequested = false;
    const cp = await store.createCheckpoint({
      workspace: config.workspace,
      moduleId: config.moduleId,
      parentVersion: activeOf(run).version,
      metadata: { reason: 'operator resumed after manual repair' },
    });
    run.active = await store.setVersionStatus({
      moduleId: config.moduleId,
      version: cp.version,
      status: 'active',
    });
    await measureBaseline(run);
    break;
  }
  await refreshLineage(run);
  setState(run, run.inbox.paused ? 'paused' : 'running');
}
