/**
 * A candidate waits for a human (a BREAKING change under requireApproval, or
 * an inconclusive score): approve → accept; reject, time out or an operator's
 * rollback → the candidate is rejected and rolled back.
 */
import { condition } from '@temporalio/workflow';
import { store } from './activities';
import { awaitOperator } from './attention';
import { acceptMetrics, type NeedsHuman } from './outcomes';
import { emit, setState, stepContext, type CycleRun, type HumanDecision } from './cycleState';
import { acceptVersion } from './iterationSteps';
import { rollbackWithRecovery } from './rollback';
import { swapAccepted } from './live';
import { services } from '../services/activities';

export async function awaitHuman(run: CycleRun, outcome: NeedsHuman): Promise<void> {
  const { config } = run;
  const deadlineMs = Date.now() + config.approvalTimeoutSec * 1000;
  const pending = {
    iteration: outcome.record.index,
    version: outcome.candidate.version,
    compatibility: outcome.compatibility?.level ?? null,
    rationale: outcome.compatibility?.rationale ?? [],
    reason: outcome.record.reason,
    kind: outcome.reason,
    deadline: new Date(deadlineMs).toISOString(),
    candidate: outcome.candidate,
  };
  run.pending = pending;
  run.inbox.humanDecision = undefined;
  setState(run, outcome.reason === 'approval' ? 'pending_approval' : 'inconclusive');
  run.step = 'awaiting-approval';
  // ratchet_version_pending_approvals is derived by the worker from visibility (workers/metrics.ts).
  emit(run, 'APPROVAL_REQUESTED', {
    version: pending.version,
    kind: outcome.reason,
    compatibility: pending.compatibility,
    rationale: pending.rationale,
    deadline: pending.deadline,
  });
  await run.log.flush();
  const answered = await condition(
    () => run.inbox.humanDecision !== undefined || run.inbox.rollbackRequest !== undefined,
    config.approvalTimeoutSec * 1000,
    {
      summary: `wait for approval until ${new Date(Date.now() + config.approvalTimeoutSec * 1000).toISOString().slice(11, 16)} UTC`,
    },
  );
  let decision: HumanDecision | undefined = run.inbox.humanDecision;
  if (!answered) {
    decision = { approve: config.approvalTimeoutOutcome === 'approve', by: 'timeout' };
    emit(run, 'APPROVAL_TIMED_OUT', {
      version: pending.version,
      outcome: config.approvalTimeoutOutcome,
    });
  }
  const record = outcome.record;
  const ctx = stepContext(run, record.index);
  run.pending = null;
  setState(run, run.inbox.paused ? 'paused' : 'running');
  if (decision?.approve) {
    emit(run, 'APPROVAL_GRANTED', {
      version: pending.candidate.version,
      by: decision.by,
      note: decision.note ?? null,
    });
    run.active = await acceptVersion(ctx, pending.candidate, `approved by ${decision.by}`);
    record.decision = 'accepted';
    record.reason = `approved by ${decision.by}`;
    if (outcome.metrics) acceptMetrics(run, outcome.metrics);
    run.consecutiveRejections = 0;
    await swapAccepted(run, record);
  } else {
    if (decision)
      emit(run, 'APPROVAL_REJECTED', {
        version: pending.candidate.version,
        by: decision.by,
        reason: decision.note,
      });
    if (outcome.onRejection === 'revert') {
      // requireApproval with autoRollbackOnBreaking: unapproved BREAKING changes are reverted.
      const detail = decision
        ? `BREAKING change ${decision.by === 'timeout' ? 'not approved in time' : `rejected by ${decision.by}`}`
        : 'BREAKING change rolled back by operator';
      await services.recordRevert({
        moduleId: config.moduleId,
        version: pending.candidate.version,
        revert: {
          reason: 'BREAKING',
          detail,
          at: new Date().toISOString(),
          restoredTo: outcome.active.version,
        },
      });
      emit(run, 'VERSION_REVERTED', {
        version: pending.candidate.version,
        reason: 'BREAKING',
        detail,
      });
    } else
      await store.setVersionStatus({
        moduleId: config.moduleId,
        version: pending.candidate.version,
        status: 'rejected',
      });
    record.decision = 'rejected';
    record.reason = decision
      ? `rejected by ${decision.by}${decision.note ? `: ${decision.note}` : ''}`
      : 'rolled back by operator';
    record.reasonCode = !decision
      ? 'interrupted_by_operator'
      : decision.by === 'timeout'
        ? 'approval_timed_out'
        : 'rejected_by_operator';
    record.rollbackPerformed = true;
    run.consecutiveRejections++;
    if (!run.inbox.rollbackRequest) {
      const rb = await rollbackWithRecovery(ctx, outcome.active, record.reason);
      if (rb.ok && rb.version) run.active = rb.version;
      else await awaitOperator(run);
    }
  }
  emit(
    run,
    'ITERATION_COMPLETED',
    { decision: record.decision, reason: record.reason },
    record.index,
  );
}
