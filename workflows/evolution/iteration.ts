/**
 * `evolutionIteration`: one turn of the ratchet, as a child workflow so the
 * Web UI shows iterations one by one.
 *
 *   checkpoint   the workspace = the active version (compensation: restore it, priority 100)
 *   candidate    next patch, or the mutator; edit scope checked before anything runs
 *                → the candidate's checkpoint (what will be judged)
 *   evaluate     tests, gates, metrics; then the tree must still hash to that checkpoint
 *
 * A candidate's failure at any step is a decision (rolled_back / rejected, with a
 * reason code) after a verified rollback; an infrastructure error restores the
 * checkpoint and returns needs_attention. Neither fails the cycle.
 *   judge        baseline and candidate measured in the same window (ABBA rounds, trees swapped
 *                in the workspace), sequential → rollback | inconclusive (a human) | go on
 *   compatibility COMPATIBLE / MINOR_CHANGE / BREAKING / UNKNOWN → reject | approval | accept
 *
 * Accept and roll back happen here; a decision that needs a human is returned
 * to the cycle, which owns the operator updates.
 */
import {
  CancellationScope,
  getExternalWorkflowHandle,
  isCancellation,
  patched,
} from '@temporalio/workflow';
import { decideOnCompatibility } from '../../domain/evolution/decide';
import { compatibilityAction } from '../../domain/services/breakingPolicy';
import { services } from '../services/activities';
import type { CandidateFailure, MetricValues } from '../../domain/evolution/failures';
import type { EvolutionEventType } from '../../domain/evolution/events';
import type { IterationRecord } from '../../domain/evolution/results';
import type { VersionRecord } from '../../domain/versions';
import { Saga } from '../saga/engine';
import { store } from './activities';
import { applyCandidate, evaluateCandidate, provenUnchanged } from './candidateStep';
import type { StepContext } from './context';
import type { IterationInput, IterationOutcome, IterationUsage } from './iterationTypes';
import {
  acceptVersion,
  checkpointStep,
  compatibilityStep,
  infrastructureFailed,
} from './iterationSteps';
import { windowJudgeStep } from './judgeWindow';
import { iterationProgressSignal } from './messages';
import { versionMetrics } from './metrics';
import { rollbackWithRecovery } from './rollback';

export type { IterationInput, IterationOutcome, IterationUsage } from './iterationTypes';

const NO_AUTO_ROLLBACK_PATCH = 'seed-switch-no-auto-rollback';

function candidateName(input: IterationInput): string {
  if (input.patchFile) return input.patchFile.split('/').pop() ?? input.patchFile;
  return input.config.candidate.kind === 'mutator' ? input.config.candidate.command : 'candidate';
}

export async function evolutionIteration(input: IterationInput): Promise<IterationOutcome> {
  const parent = getExternalWorkflowHandle(input.cycleWorkflowId);
  // Progress goes to the cycle in order, and all of it is delivered before this workflow
  // returns: a signal still pending when a workflow completes is never sent.
  let delivered: Promise<void> = Promise.resolve();
  const progress = (p: {
    step?: string;
    event?: { type: EvolutionEventType; data: Record<string, unknown> };
  }) => {
    const message = {
      iteration: input.index,
      step: p.step,
      event: p.event ? { ...p.event, at: new Date().toISOString() } : undefined,
    };
    delivered = delivered.then(() =>
      CancellationScope.nonCancellable(() => parent.signal(iterationProgressSignal, message)).catch(
        () => undefined,
      ),
    );
  };
  const ctx: StepContext = {
    config: input.config,
    iteration: input.index,
    emit: (type, data = {}) => progress({ event: { type, data } }),
    step: (name) => progress({ step: name }),
  };
  try {
    return await runIteration(input, ctx);
  } finally {
    await CancellationScope.nonCancellable(() => delivered);
  }
}

async function runIteration(input: IterationInput, ctx: StepContext): Promise<IterationOutcome> {
  const { config } = input;
  const record: IterationRecord = {
    index: input.index,
    candidate: candidateName(input),
    version: null,
    decision: 'rolled_back',
    reason: '',
    reasonCode: null,
    rollbackPerformed: false,
    safetyScore: null,
    compatibility: null,
    metrics: {},
    warnings: [],
  };
  const usage: IterationUsage = { evaluated: false, commandMs: 0 };
  ctx.emit('ITERATION_STARTED', { active: input.active.version, candidate: record.candidate });

  let pre: VersionRecord;
  try {
    pre = await checkpointStep(input, ctx);
  } catch (err) {
    if (isCancellation(err)) throw err;
    return CancellationScope.nonCancellable(() =>
      infrastructureFailed(ctx, null, null, record, usage, err),
    );
  }

  // Every terminal failure puts the checkpoint back: a plain restore when an operator interrupts
  // (their rollback follows), a verified rollback when anything else goes wrong.
  const saga = new Saga();
  saga.register({
    actionType: 'restore_checkpoint',
    resourceId: pre.checkpointId,
    description: `restore ${config.workspace} to ${pre.version}`,
    priority: 100,
    activity: 'restoreCheckpoint',
    args: [{ checkpointId: pre.checkpointId, workspace: config.workspace }],
  });

  const turnAway = async (
    failure: CandidateFailure,
    status: 'rolled_back' | 'rejected',
    candidate: VersionRecord | null,
    metrics: MetricValues | null,
  ): Promise<IterationOutcome> => {
    saga.clear(); // the verified rollback below replaces the plain restore
    if (candidate)
      await store.setVersionStatus({
        moduleId: config.moduleId,
        version: candidate.version,
        status,
      });
    record.rollbackPerformed = true;
    record.decision = status;
    record.reason = failure.message;
    record.reasonCode = failure.reason;
    // autoRollback: false (the seeds' switch): the candidate stays in the workspace and an
    // operator decides; `=== false` because configs from before the switch lack the key.
    if (config.autoRollback === false && patched(NO_AUTO_ROLLBACK_PATCH)) {
      record.rollbackPerformed = false;
      const chain: string[] = [];
      ctx.emit('NEEDS_ATTENTION', {
        tried: chain,
        reason: `${failure.message} (autoRollback: false, nothing rolled back)`,
      });
      ctx.emit('ITERATION_COMPLETED', {
        decision: record.decision,
        reason: record.reason,
        reasonCode: failure.reason,
      });
      const rollback = { ok: false, version: null, stage: 'exhausted' as const, chain };
      return { kind: 'needs_attention', record, rollback, usage };
    }
    const outcome = await rollbackWithRecovery(ctx, pre, failure.message);
    ctx.emit('ITERATION_COMPLETED', {
      decision: record.decision,
      reason: record.reason,
      reasonCode: failure.reason,
    });
    if (!outcome.ok) return { kind: 'needs_attention', record, rollback: outcome, usage };
    return { kind: 'finished', record, active: outcome.version ?? pre, metrics, usage };
  };

  try {
    ctx.step('candidate');
    const applied = await applyCandidate(config, pre, input.patchFile, input.index);
    if (!applied.applied) {
      const failure = applied.failure ?? { reason: 'edit_scope', message: 'candidate not applied' };
      ctx.emit('CANDIDATE_REJECTED', {
        candidate: record.candidate,
        reason: failure.message,
        reasonCode: failure.reason,
      });
      return await turnAway(failure, 'rejected', null, null);
    }
    ctx.emit('CANDIDATE_APPLIED', {
      candidate: record.candidate,
      changedPaths: applied.changedPaths,
    });

    // The candidate becomes a version before it is evaluated: the checkpoint is what gets judged.
    const candidate = await store.createCheckpoint({
      workspace: config.workspace,
      moduleId: config.moduleId,
      parentVersion: pre.version,
      status: 'pending_approval',
      metadata: { iteration: input.index, candidate: record.candidate },
    });
    versionMetrics().checkpoints.add(1, { module_id: config.moduleId });
    record.version = candidate.version;

    ctx.step('evaluate');
    usage.evaluated = true;
    const measured = await evaluateCandidate(config);
    usage.commandMs += measured.commandMs;
    const changed = await provenUnchanged(config, candidate);
    const failure = changed ?? measured.failure;
    ctx.emit('EVALUATION_COMPLETED', {
      testsPassed: measured.testsPassed,
      testOutput: measured.outputTail,
      failedGates: measured.failedGates,
      metrics: measured.metrics ? Object.keys(measured.metrics) : [],
      // The values too, so per-module metric history and `versions show` see what was judged.
      version: candidate.version,
      metricValues: measured.metrics ?? {},
      failure: failure?.reason ?? null,
    });
    if (failure) return await turnAway(failure, 'rolled_back', candidate, measured.metrics);
    const { metrics } = measured;

    ctx.step('judge');
    const judged = await windowJudgeStep(input, ctx, record, pre, candidate, metrics);
    usage.commandMs += record.judge?.measureMs ?? 0; // the window's metrics runs count too
    if (judged.kind === 'failure')
      return await turnAway(judged.failure, 'rolled_back', candidate, metrics);
    const evalDecision = judged.decision;
    if (evalDecision?.kind === 'rollback') {
      const why = { reason: evalDecision.code, message: evalDecision.reason };
      return await turnAway(why, 'rolled_back', candidate, metrics);
    }

    const compatibility = await compatibilityStep(ctx, record, pre, candidate);
    // The module's matrix (domain/services/breakingPolicy.ts) when the cycle read it.
    const action = input.rules ? compatibilityAction(compatibility.level, input.rules) : null;
    if (
      action &&
      (action.kind === 'accept' || action.kind === 'await_approval') &&
      action.warning
    ) {
      record.warnings.push(action.warning);
      ctx.emit('COMPATIBILITY_WARNING', { level: compatibility.level, warning: action.warning });
    }
    if (action?.kind === 'revert') {
      const why = { reason: 'breaking_change' as const, message: action.detail };
      const outcome = await turnAway(why, 'rolled_back', candidate, metrics);
      await services.recordRevert({
        moduleId: config.moduleId,
        version: candidate.version,
        revert: {
          reason: action.reason,
          detail: action.detail,
          at: new Date().toISOString(),
          restoredTo: outcome.kind === 'finished' ? outcome.active.version : null,
        },
      });
      ctx.emit('VERSION_REVERTED', {
        version: candidate.version,
        reason: action.reason,
        detail: action.detail,
      });
      return outcome;
    }
    const decision =
      evalDecision?.kind === 'inconclusive'
        ? evalDecision
        : action === null
          ? decideOnCompatibility(compatibility.level, config)
          : action.kind === 'reject'
            ? { kind: 'reject' as const, reason: action.reason, code: 'breaking_change' as const }
            : action.kind === 'await_approval'
              ? { kind: 'await_approval' as const, reason: action.reason }
              : { kind: 'accept' as const, reason: `compatibility ${compatibility.level}` };
    if (decision.kind === 'reject') {
      const why = { reason: decision.code, message: decision.reason };
      return await turnAway(why, 'rejected', candidate, metrics);
    }
    if (decision.kind === 'inconclusive' || decision.kind === 'await_approval') {
      saga.clear();
      record.decision = 'pending_approval';
      record.reason = decision.reason;
      return {
        kind: 'needs_human',
        reason: decision.kind === 'inconclusive' ? 'inconclusive' : 'approval',
        record,
        candidate,
        compatibility,
        metrics,
        active: pre,
        usage,
        ...(action?.kind === 'await_approval' && decision.kind === 'await_approval'
          ? { onRejection: action.onRejection }
          : {}),
      };
    }

    ctx.step('accept');
    const accepted = await acceptVersion(ctx, candidate, decision.reason);
    saga.clear();
    record.decision = 'accepted';
    record.reason = decision.reason;
    ctx.emit('ITERATION_COMPLETED', { decision: 'accepted', version: accepted.version });
    return { kind: 'finished', record, active: accepted, metrics, usage };
  } catch (err) {
    if (isCancellation(err)) {
      // An operator's rollback interrupts the iteration: put the checkpoint back, durably.
      await CancellationScope.nonCancellable(async () => {
        const outcome = await saga.compensate();
        ctx.emit('ROLLBACK_COMPLETED', {
          version: pre.version,
          reason: 'iteration interrupted',
          compensations: outcome.compensations.length,
        });
      });
      throw err;
    }
    return CancellationScope.nonCancellable(() =>
      infrastructureFailed(ctx, saga, pre, record, usage, err),
    );
  }
}

export function iterationWorkflowId(cycleId: string, index: number): string {
  return `${cycleId}-iteration-${index}`;
}
