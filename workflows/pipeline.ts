/**
 * `pipelineRun`: a step pipeline with a checkpoint after every successful
 * step; a failure is classified, mapped to a recovery plan, and the plan is
 * executed strategy by strategy, escalating when one does not help:
 *
 *   RETRY     the step again, through a Temporal retry policy with backoff
 *   RESUME    restore the last good checkpoint, validate, run the step again (not the pipeline)
 *   SKIP      optional steps only
 *   ROLLBACK  restore the pipeline's starting checkpoint and stop
 *   MANUAL    park until an operator says retry, skip, rollback or abort
 *
 * The run's current details show the steps and the recovery plan being
 * executed; failures, recoveries and rollbacks are counted
 * (`ratchet_pipeline_*`, `ratchet_version_rollbacks_total`).
 */
import {
  ActivityFailure,
  ApplicationFailure,
  condition,
  defineQuery,
  defineUpdate,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { StepFailureDetails, StepSuccess } from '../activities/pipelines';
import {
  Lane,
  Pipeline,
  recoveryPlan,
  stepsForLane,
  type FailureType,
  type LaneStep,
  type Strategy,
} from '../domain/pipeline';
import type { CheckpointRecord } from '../domain/versions';
import { pipelineDetails } from '../domain/currentDetails';
import { pipelineRevertReason, type RevertReason } from '../domain/metrics';
import { HUMAN_NEEDED_KEY, STATE_KEY } from '../domain/searchAttributes';
import { count } from './metrics';

export interface PipelineRunInput {
  pipeline: Pipeline;
  workspace: string;
  lane: Lane;
  /** Checkpoint module id; default: the pipeline's name. */
  moduleId?: string;
}

export type OperatorAction = 'retry' | 'skip' | 'rollback' | 'abort';

export interface PipelineStepReport {
  name: string;
  status: 'completed' | 'failed' | 'skipped' | 'not_run';
  attempts: number;
  durationMs: number;
  checkpointId: string | null;
}

export interface PipelineFailure {
  step: string;
  failureType: FailureType;
  strategy: Strategy;
  message: string;
}

export interface PipelineStatus {
  workflowId: string;
  pipeline: string;
  lane: Lane;
  status: 'running' | 'waiting_for_operator' | 'completed' | 'failed' | 'rolled_back' | 'aborted';
  currentStep: string | null;
  steps: PipelineStepReport[];
  failures: PipelineFailure[];
  /** Resumes from a checkpoint instead of from the start: what they saved. */
  resumes: Array<{
    step: string;
    fromCheckpoint: string;
    stepsNotRerun: number;
    timeSavedMs: number;
  }>;
}

export const pipelineStatusQuery = defineQuery<PipelineStatus>('status');
export const operatorUpdate = defineUpdate<
  { accepted: boolean; action: OperatorAction },
  [{ action: OperatorAction }]
>('operator');

const store = proxyActivities<Activities>({
  startToCloseTimeout: '5 minutes',
  heartbeatTimeout: '1 minute',
  retry: { maximumAttempts: 5 },
});

function failureDetails(err: unknown): StepFailureDetails | null {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  if (cause instanceof ApplicationFailure && cause.type === 'PipelineStepFailed') {
    return (cause.details?.[0] as StepFailureDetails | undefined) ?? null;
  }
  return null;
}

export async function pipelineRun(raw: PipelineRunInput): Promise<PipelineStatus> {
  const pipeline = Pipeline.parse(raw.pipeline);
  const lane = Lane.parse(raw.lane);
  const moduleId = raw.moduleId ?? pipeline.name.replace(/[^A-Za-z0-9._-]/g, '-');
  const steps = stepsForLane(pipeline, lane);
  const status: PipelineStatus = {
    workflowId: workflowInfo().workflowId,
    pipeline: pipeline.name,
    lane,
    status: 'running',
    currentStep: null,
    steps: steps.map((s) => ({
      name: s.name,
      status: 'not_run',
      attempts: 0,
      durationMs: 0,
      checkpointId: null,
    })),
    failures: [],
    resumes: [],
  };
  let pendingAction: OperatorAction | undefined;
  const actionNow = (): OperatorAction | undefined => pendingAction;
  setHandler(pipelineStatusQuery, () => status);
  // Observability: the plan being executed, the strategy whose effect is not known yet.
  let plan: { step: string; failureType: string; strategies: Strategy[]; current: number } | null =
    null;
  let pendingRecovery: Strategy | null = null;
  const show = () => setCurrentDetails(pipelineDetails({ ...status, plan }));
  const setState = (next: PipelineStatus['status']) => {
    status.status = next;
    upsertSearchAttributes([{ key: STATE_KEY, value: next }]);
    upsertSearchAttributes([{ key: HUMAN_NEEDED_KEY, value: next === 'waiting_for_operator' }]);
    show();
  };
  const recovered = (strategy: Strategy, ok: boolean) =>
    count('ratchet_pipeline_recoveries_total', { strategy, outcome: ok ? 'succeeded' : 'failed' });
  const rolledBack = (reason: RevertReason) =>
    count('ratchet_version_rollbacks_total', { module_id: moduleId, reason });
  setHandler(
    operatorUpdate,
    ({ action }) => {
      pendingAction = action;
      return { accepted: true, action };
    },
    {
      validator: ({ action }) => {
        if (!['retry', 'skip', 'rollback', 'abort'].includes(action))
          throw new Error(`unknown action ${String(action)}`);
        if (status.status !== 'waiting_for_operator')
          throw new Error(`the pipeline is ${status.status}, not waiting for an operator`);
      },
    },
  );

  const checkpoint = async (metadata: Record<string, unknown>): Promise<CheckpointRecord> => {
    const cp = await store.createCheckpoint({
      workspace: raw.workspace,
      moduleId,
      metadata: { lane, pipeline: pipeline.name, ...metadata },
    });
    count('ratchet_version_checkpoints_total', { module_id: moduleId });
    return cp;
  };
  const start = await checkpoint({ step: 0, stepName: 'start', success: true });
  let lastGood = start;
  let lastGoodIndex = -1;

  const run = (step: LaneStep, retryable: boolean): Promise<StepSuccess> => {
    const retry = recoveryPlan('unknown', lane).retry;
    return proxyActivities<Activities>({
      startToCloseTimeout: `${step.timeoutSec + 60} seconds`,
      heartbeatTimeout: '30 seconds',
      retry: retryable
        ? {
            maximumAttempts: retry.maximumAttempts,
            initialInterval: `${retry.initialIntervalSec} seconds`,
            backoffCoefficient: retry.backoffCoefficient,
          }
        : { maximumAttempts: 1 },
    }).runPipelineStep({ workspace: raw.workspace, step, retryable });
  };
  const restore = async (cp: CheckpointRecord) => {
    await store.restoreCheckpoint({ checkpointId: cp.checkpointId, workspace: raw.workspace });
  };
  const awaitOperator = async (): Promise<OperatorAction> => {
    setState('waiting_for_operator');
    pendingAction = undefined;
    await condition(() => actionNow() !== undefined);
    const action = actionNow()!;
    pendingAction = undefined;
    setState('running');
    return action;
  };
  const finish = (final: PipelineStatus['status']) => {
    status.currentStep = null;
    setState(final);
    return status;
  };
  show();

  for (const step of steps) {
    const report = status.steps[step.index]!;
    status.currentStep = step.name;
    plan = null;
    show();
    let strategyIndex = -1; // -1: the first, plain attempt
    let strategies: Strategy[] = [];
    let retryable = false;
    for (;;) {
      const started = Date.now();
      try {
        const ok = await run(step, retryable);
        report.attempts += ok.attempt;
        report.durationMs += ok.durationMs;
        report.status = 'completed';
        if (pendingRecovery) recovered(pendingRecovery, true);
        pendingRecovery = null;
        const cp = await checkpoint({
          step: step.index + 1,
          stepName: step.name,
          durationMs: ok.durationMs,
          success: true,
        });
        report.checkpointId = cp.checkpointId;
        lastGood = cp;
        lastGoodIndex = step.index;
        show();
        break;
      } catch (err) {
        const details = failureDetails(err);
        if (!details) throw err;
        report.attempts += details.attempt;
        report.durationMs += Date.now() - started;
        report.status = 'failed';
        count('ratchet_pipeline_failures_total', { failure_type: details.failureType });
        if (pendingRecovery) recovered(pendingRecovery, false);
        pendingRecovery = null;
        if (strategyIndex === -1) {
          strategies = recoveryPlan(details.failureType, lane, {
            optional: step.optional,
            overrides: pipeline.recovery,
          }).strategies;
        }
        strategyIndex++;
        const strategy: Strategy = strategies[strategyIndex] ?? 'MANUAL';
        status.failures.push({
          step: step.name,
          failureType: details.failureType,
          strategy,
          message: details.evidence.output.trim().slice(-300),
        });
        plan = {
          step: step.name,
          failureType: details.failureType,
          strategies: strategyIndex < strategies.length ? strategies : [...strategies, strategy],
          current: strategyIndex,
        };
        show();
        retryable = false;
        if (strategy === 'RETRY') {
          retryable = true;
          pendingRecovery = 'RETRY';
          continue;
        }
        if (strategy === 'SKIP') {
          report.status = 'skipped';
          recovered('SKIP', true);
          break;
        }
        if (strategy === 'RESUME') {
          await restore(lastGood);
          const doneBefore = status.steps.slice(0, lastGoodIndex + 1);
          status.resumes.push({
            step: step.name,
            fromCheckpoint: lastGood.checkpointId,
            stepsNotRerun: doneBefore.filter((s) => s.status === 'completed').length,
            timeSavedMs: doneBefore.reduce((a, s) => a + s.durationMs, 0),
          });
          const validation = await store.validatePipelineState({
            workspace: raw.workspace,
            criticalFiles: pipeline.criticalFiles,
            dependencyChecks: pipeline.dependencyChecks,
            expectedChecksum: lastGood.checksum,
            actualChecksum: await store.workspaceChecksum({ workspace: raw.workspace, moduleId }),
          });
          if (validation.ok) {
            pendingRecovery = 'RESUME';
            continue;
          }
          recovered('RESUME', false);
          // A workspace that fails validation is not resumed: a person looks first.
          status.failures.push({
            step: step.name,
            failureType: details.failureType,
            strategy: 'MANUAL',
            message: `state validation blocked the resume: ${validation.checks
              .filter((c) => !c.ok)
              .map((c) => `${c.check}: ${c.detail}`)
              .join('; ')}`,
          });
        }
        if (strategy === 'ROLLBACK') {
          await restore(start);
          recovered('ROLLBACK', true);
          rolledBack(pipelineRevertReason(details.failureType));
          return finish('rolled_back');
        }
        // MANUAL, or a resume that validation blocked: park until an operator acts.
        const action = await awaitOperator();
        if (action === 'abort') {
          recovered('MANUAL', false);
          return finish('aborted');
        }
        if (action === 'rollback') {
          await restore(start);
          recovered('MANUAL', true);
          rolledBack('MANUAL');
          return finish('rolled_back');
        }
        if (action === 'skip') {
          report.status = 'skipped';
          recovered('MANUAL', true);
          break;
        }
        pendingRecovery = 'MANUAL';
        strategyIndex = strategies.length; // after a manual retry, a new failure parks again
      }
    }
  }
  return finish('completed');
}
