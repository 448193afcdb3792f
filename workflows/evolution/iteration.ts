/**
 * `evolutionIteration`: one turn of the ratchet, as a child workflow so the
 * Web UI shows iterations one by one.
 *
 *   checkpoint   the workspace = the active version (compensation: restore it, priority 100)
 *   candidate    next patch, or the mutator; edit scope checked before anything runs
 *   evaluate     tests, gates, metrics
 *   judge        statistical regression judge → rollback | inconclusive | go on
 *   compatibility COMPATIBLE / MINOR_CHANGE / BREAKING / UNKNOWN → reject | approval | accept
 *
 * Accept and roll back happen here; a decision that needs a human is returned
 * to the cycle, which owns the operator updates.
 */
import { CancellationScope, getExternalWorkflowHandle, isCancellation } from '@temporalio/workflow';
import type { CandidateResult } from '../../activities/evolution/candidates';
import type { MetricValues } from '../../activities/evolution/evaluation';
import type { EvolutionConfig } from '../../domain/evolution/config';
import {
  decideOnCompatibility,
  decideOnEvaluation,
  type Decision,
} from '../../domain/evolution/decide';
import type { EvolutionEventType } from '../../domain/evolution/events';
import { judgeIteration, type IterationJudgement } from '../../domain/evolution/judging';
import type { IterationRecord } from '../../domain/evolution/results';
import type { CompatibilityReport, VersionRecord } from '../../domain/versions';
import { Saga } from '../saga/engine';
import { commands, patches, store } from './activities';
import type { StepContext } from './context';
import { iterationProgressSignal } from './messages';
import { versionMetrics } from './metrics';
import { rollbackWithRecovery, type RollbackOutcome } from './rollback';

export interface IterationInput {
  config: EvolutionConfig;
  cycleWorkflowId: string;
  index: number;
  active: VersionRecord;
  /** Patch file for this iteration (patch source), else the mutator runs. */
  patchFile: string | null;
  baselineMetrics: MetricValues | null;
  /** Scalar metric values of recently accepted versions, oldest first. */
  history: Array<Record<string, number>>;
}

export type IterationOutcome =
  | {
      kind: 'finished';
      record: IterationRecord;
      active: VersionRecord;
      metrics: MetricValues | null;
    }
  | {
      kind: 'needs_human';
      reason: 'approval' | 'inconclusive';
      record: IterationRecord;
      candidate: VersionRecord;
      compatibility: CompatibilityReport | null;
      metrics: MetricValues | null;
      active: VersionRecord;
    }
  | { kind: 'needs_attention'; record: IterationRecord; rollback: RollbackOutcome };

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
    rollbackPerformed: false,
    safetyScore: null,
    compatibility: null,
    metrics: {},
    warnings: [],
  };
  ctx.emit('ITERATION_STARTED', { active: input.active.version, candidate: record.candidate });

  // Checkpoint: the workspace must equal the active version before anything changes it.
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

  // If this iteration is cancelled (an operator's rollback), the saga restores the checkpoint.
  const saga = new Saga();
  saga.register({
    actionType: 'restore_checkpoint',
    resourceId: pre.checkpointId,
    description: `restore ${config.workspace} to ${pre.version}`,
    priority: 100,
    activity: 'restoreCheckpoint',
    args: [{ checkpointId: pre.checkpointId, workspace: config.workspace }],
  });

  const rollBack = async (
    decision: Decision,
    status: 'rolled_back' | 'rejected',
    candidate: VersionRecord | null,
  ) => {
    saga.clear(); // the verified rollback below replaces the plain restore
    if (candidate)
      await store.setVersionStatus({
        moduleId: config.moduleId,
        version: candidate.version,
        status,
      });
    const outcome = await rollbackWithRecovery(ctx, pre, decision.reason);
    record.rollbackPerformed = true;
    record.decision = status;
    record.reason = decision.reason;
    return outcome;
  };
  const finish = (outcome: RollbackOutcome, metrics: MetricValues | null): IterationOutcome => {
    ctx.emit('ITERATION_COMPLETED', { decision: record.decision, reason: record.reason });
    if (!outcome.ok) return { kind: 'needs_attention', record, rollback: outcome };
    return { kind: 'finished', record, active: outcome.version ?? pre, metrics };
  };

  try {
    // Candidate
    ctx.step('candidate');
    const run = commands(config.evaluation.commandTimeoutSec);
    let applied: CandidateResult;
    if (input.patchFile) {
      applied = await patches.applyPatch({
        workspace: config.workspace,
        patchFile: input.patchFile,
        scope: config.editScope,
      });
    } else if (config.candidate.kind === 'mutator') {
      applied = await run.runMutator({
        workspace: config.workspace,
        command: config.candidate.command,
        timeoutSec: config.evaluation.commandTimeoutSec,
        scope: config.editScope,
        iteration: input.index,
      });
    } else {
      throw new Error('no candidate: patch source without a patch');
    }
    if (!applied.applied) {
      const why = applied.violations.length
        ? `touches paths outside its edit scope: ${applied.violations.map((v) => `${v.path} (${v.reason})`).join(', ')}`
        : (applied.error ?? 'candidate not applied');
      ctx.emit('CANDIDATE_REJECTED', { candidate: record.candidate, reason: why });
      return finish(await rollBack({ kind: 'reject', reason: why }, 'rejected', null), null);
    }
    ctx.emit('CANDIDATE_APPLIED', {
      candidate: record.candidate,
      changedPaths: applied.changedPaths,
    });

    // Evaluate
    ctx.step('evaluate');
    const timeoutSec = config.evaluation.commandTimeoutSec;
    const tests = await run.runTests({
      workspace: config.workspace,
      command: config.evaluation.test,
      timeoutSec,
    });
    const failedGates: string[] = [];
    if (tests.passed) {
      for (const gate of config.evaluation.gates) {
        const result = await run.runGate({
          workspace: config.workspace,
          command: gate,
          timeoutSec,
        });
        if (!result.passed) failedGates.push(gate);
      }
    }
    let metrics: MetricValues | null = null;
    if (tests.passed && failedGates.length === 0 && config.evaluation.metrics) {
      metrics = await run.collectMetrics({
        workspace: config.workspace,
        command: config.evaluation.metrics,
        timeoutSec,
      });
    }
    ctx.emit('EVALUATION_COMPLETED', {
      testsPassed: tests.passed,
      testOutput: tests.passed ? undefined : tests.outputTail.slice(-800),
      failedGates,
      metrics: metrics ? Object.keys(metrics) : [],
    });

    // Every candidate that was evaluated becomes a version in the lineage, whatever its fate.
    const candidateCp = await store.createCheckpoint({
      workspace: config.workspace,
      moduleId: config.moduleId,
      parentVersion: pre.version,
      status: 'pending_approval',
      metadata: {
        iteration: input.index,
        candidate: record.candidate,
        testsPassed: tests.passed,
        failedGates,
      },
    });
    versionMetrics().checkpoints.add(1, { module_id: config.moduleId });
    const candidate: VersionRecord = candidateCp;
    record.version = candidate.version;

    // Judge
    ctx.step('judge');
    let judgement: IterationJudgement | null = null;
    if (tests.passed && failedGates.length === 0 && metrics && input.baselineMetrics) {
      judgement = judgeIteration({
        baseline: input.baselineMetrics,
        candidate: metrics,
        history: input.history,
        config,
      });
      record.safetyScore = judgement.safetyScore;
      record.metrics = judgement.metrics;
      record.warnings = judgement.warnings;
      if (judgement.regressed.length || judgement.critical.length) {
        ctx.emit('REGRESSION_DETECTED', {
          regressed: judgement.regressed,
          critical: judgement.critical,
          safetyScore: judgement.safetyScore,
        });
      }
    }
    const evalDecision = decideOnEvaluation(
      { testsPassed: tests.passed, failedGates },
      judgement,
      config,
    );
    if (evalDecision?.kind === 'rollback') {
      return finish(await rollBack(evalDecision, 'rolled_back', candidate), metrics);
    }

    // Compatibility
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

    if (evalDecision?.kind === 'inconclusive') {
      saga.clear();
      record.decision = 'pending_approval';
      record.reason = evalDecision.reason;
      return {
        kind: 'needs_human',
        reason: 'inconclusive',
        record,
        candidate,
        compatibility,
        metrics,
        active: pre,
      };
    }
    const decision = decideOnCompatibility(compatibility.level, config);
    if (decision.kind === 'reject')
      return finish(await rollBack(decision, 'rejected', candidate), metrics);
    if (decision.kind === 'await_approval') {
      saga.clear();
      record.decision = 'pending_approval';
      record.reason = decision.reason;
      return {
        kind: 'needs_human',
        reason: 'approval',
        record,
        candidate,
        compatibility,
        metrics,
        active: pre,
      };
    }

    // Accept
    ctx.step('accept');
    const accepted = await acceptVersion(ctx, candidate, decision.reason);
    saga.clear();
    record.decision = 'accepted';
    record.reason = decision.reason;
    ctx.emit('ITERATION_COMPLETED', { decision: 'accepted', version: accepted.version });
    return { kind: 'finished', record, active: accepted, metrics };
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
    }
    throw err;
  }
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

export function iterationWorkflowId(cycleId: string, index: number): string {
  return `${cycleId}-iteration-${index}`;
}
