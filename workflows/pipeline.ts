/**
 * `pipelineRun`: a step pipeline with a checkpoint after every successful
 * step; a failure is classified, mapped to a recovery plan, and the plan is
 * executed strategy by strategy (workflows/pipelineRecovery.ts), escalating
 * when one does not help:
 *
 *   RETRY / WAIT_RETRY        the step again (Temporal backoff / after a durable wait)
 *   RESUME                    restore the last good checkpoint, validate, run the step again
 *   CHECK_RESOURCES           a gate: enough memory and disk, else a person
 *   ESCALATE_LANE             the next heavier lane
 *   GIT_RESET / AUTO_FIX      repair, then the step again
 *   SKIP                      optional steps only
 *   ROLLBACK                  restore the pipeline's starting checkpoint and stop
 *   MANUAL                    park until an operator says retry, skip, rollback or abort
 *
 * The whole run has the lane's budget (docs 5 min, standard 15, heavy 20):
 * every attempt is cut to what is left, and a run out of budget stops
 * `budget_exceeded` at its last good checkpoint. `fromStep` / `fromCheckpoint`
 * start part way (the checkpoint restored first).
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
  laneBudgetSec,
  Pipeline,
  recoveryPlan,
  resolveStart,
  stepsForLane,
  stepTimeoutSec,
  type LaneStep,
  type OperatorAction,
  type PipelineStatus,
  type Strategy,
} from '../domain/pipeline';
import { parseCheckpointId } from '../domain/lineage';
import type { CheckpointRecord } from '../domain/versions';
import { pipelineDetails } from '../domain/currentDetails';
import { pipelineRevertReason, type RevertReason } from '../domain/metrics';
import { HUMAN_NEEDED_KEY, STATE_KEY } from '../domain/searchAttributes';
import { count } from './metrics';
import { applyStrategy, type RunState } from './pipelineRecovery';

export type {
  OperatorAction,
  PipelineFailure,
  PipelineStatus,
  PipelineStepReport,
} from '../domain/pipeline';

export interface PipelineRunInput {
  pipeline: Pipeline;
  workspace: string;
  lane: Lane;
  /** Checkpoint module id; default: the pipeline's name. */
  moduleId?: string;
  /** Start at this step (earlier steps are not run). */
  fromStep?: string;
  /** Restore this checkpoint first, and start after the step it was taken at (or at fromStep). */
  fromCheckpoint?: string;
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

function invalidStart(message: string): ApplicationFailure {
  return ApplicationFailure.create({ type: 'InvalidPipelineStart', message, nonRetryable: true });
}

/** Restores `fromCheckpoint` (when given) and says which step the run starts at. */
async function startingPoint(
  raw: PipelineRunInput,
  pipeline: Pipeline,
  steps: LaneStep[],
): Promise<{ index: number; checkpointId: string | null }> {
  let metadata: Record<string, unknown> | undefined;
  if (raw.fromCheckpoint) {
    const id = parseCheckpointId(raw.fromCheckpoint);
    const record = id
      ? (await store.listCheckpoints({ moduleId: id.moduleId })).find(
          (c) => c.id === raw.fromCheckpoint,
        )
      : undefined;
    if (!record) throw invalidStart(`no checkpoint ${raw.fromCheckpoint}`);
    metadata = record.metadata;
  }
  const start = resolveStart(pipeline.name, steps, {
    fromStep: raw.fromStep,
    checkpointMetadata: metadata,
  });
  if ('error' in start) throw invalidStart(start.error);
  if (raw.fromCheckpoint)
    await store.restoreCheckpoint({ checkpointId: raw.fromCheckpoint, workspace: raw.workspace });
  return { index: start.index, checkpointId: raw.fromCheckpoint ?? null };
}

export async function pipelineRun(raw: PipelineRunInput): Promise<PipelineStatus> {
  const pipeline = Pipeline.parse(raw.pipeline);
  const lane = Lane.parse(raw.lane);
  const moduleId = raw.moduleId ?? pipeline.name.replace(/[^A-Za-z0-9._-]/g, '-');
  const steps = stepsForLane(pipeline, lane);
  const startedAt = Date.now();
  let parkedMs = 0;
  const status: PipelineStatus = {
    workflowId: workflowInfo().workflowId,
    pipeline: pipeline.name,
    lane,
    currentLane: lane,
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
    actions: [],
    escalations: [],
    budget: { lane, limitSec: laneBudgetSec(pipeline, lane), usedSec: 0, exceeded: false },
    startedFrom: null,
    lastCheckpointId: null,
  };
  let pendingAction: OperatorAction | undefined;
  const actionNow = (): OperatorAction | undefined => pendingAction;
  setHandler(pipelineStatusQuery, () => status);
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

  const from = await startingPoint(raw, pipeline, steps);
  if (raw.fromStep !== undefined || from.checkpointId)
    status.startedFrom = { step: steps[from.index]!.name, checkpointId: from.checkpointId };

  const checkpoint = async (
    inLane: Lane,
    metadata: Record<string, unknown>,
  ): Promise<CheckpointRecord> => {
    const cp = await store.createCheckpoint({
      workspace: raw.workspace,
      moduleId,
      metadata: { lane: inLane, pipeline: pipeline.name, ...metadata },
    });
    status.lastCheckpointId = cp.checkpointId;
    return cp;
  };
  const start = await checkpoint(lane, { step: from.index, stepName: 'start', success: true });
  const state: RunState = {
    pipeline,
    workspace: raw.workspace,
    moduleId,
    status,
    lane,
    start,
    lastGood: start,
    lastGoodIndex: from.index - 1,
  };

  /** Seconds of the current lane's budget left (time parked for a person excluded). */
  const budgetLeftSec = () => {
    status.budget.lane = state.lane;
    status.budget.limitSec = laneBudgetSec(pipeline, state.lane);
    status.budget.usedSec = Math.round((Date.now() - startedAt - parkedMs) / 1000);
    return status.budget.limitSec - (Date.now() - startedAt - parkedMs) / 1000;
  };
  const run = (step: LaneStep, retryable: boolean): Promise<StepSuccess> => {
    const retry = recoveryPlan('unknown', state.lane).retry;
    const left = budgetLeftSec();
    const laneStep = { ...step, timeoutSec: stepTimeoutSec(step, state.lane, left) };
    return proxyActivities<Activities>({
      startToCloseTimeout: `${laneStep.timeoutSec + 60} seconds`,
      heartbeatTimeout: '30 seconds',
      retry: retryable
        ? {
            maximumAttempts: retry.maximumAttempts,
            initialInterval: `${retry.initialIntervalSec} seconds`,
            backoffCoefficient: retry.backoffCoefficient,
          }
        : { maximumAttempts: 1 },
    }).runPipelineStep({
      workspace: raw.workspace,
      step: laneStep,
      retryable,
      lane: state.lane,
      deadlineMs: Date.now() + left * 1000,
    });
  };
  const awaitOperator = async (): Promise<OperatorAction> => {
    setState('waiting_for_operator');
    pendingAction = undefined;
    const parkedAt = Date.now();
    await condition(() => actionNow() !== undefined);
    parkedMs += Date.now() - parkedAt;
    const action = actionNow()!;
    pendingAction = undefined;
    setState('running');
    return action;
  };
  const finish = (final: PipelineStatus['status']) => {
    budgetLeftSec();
    status.currentStep = null;
    setState(final);
    return status;
  };
  show();

  for (const step of steps.slice(from.index)) {
    const report = status.steps[step.index]!;
    status.currentStep = step.name;
    plan = null;
    show();
    let strategyIndex = -1; // -1: the first, plain attempt
    let strategies: Strategy[] = [];
    let retryable = false;
    for (;;) {
      // Under a second left is spent: the step's command gets at least one (stepTimeoutSec).
      if (budgetLeftSec() < 1) {
        status.budget.exceeded = true;
        return finish('budget_exceeded');
      }
      const started = Date.now();
      try {
        const ok = await run(step, retryable);
        report.attempts += ok.attempt;
        report.durationMs += ok.durationMs;
        report.status = 'completed';
        if (pendingRecovery) recovered(pendingRecovery, true);
        pendingRecovery = null;
        const cp = await checkpoint(state.lane, {
          step: step.index + 1,
          stepName: step.name,
          durationMs: ok.durationMs,
          success: true,
        });
        report.checkpointId = cp.checkpointId;
        state.lastGood = cp;
        state.lastGoodIndex = step.index;
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
          strategies = recoveryPlan(details.failureType, state.lane, {
            optional: step.optional,
            overrides: pipeline.recovery,
          }).strategies;
        }
        const message = details.evidence.output.trim().slice(-300);
        let parkReason: string | null = null;
        let rerun = false;
        retryable = false;
        // Strategies that do not rerun (a passed gate, one that does not apply) hand on to the next.
        while (!rerun && parkReason === null) {
          strategyIndex++;
          const strategy: Strategy = strategies[strategyIndex] ?? 'MANUAL';
          status.failures.push({
            step: step.name,
            failureType: details.failureType,
            strategy,
            message,
          });
          plan = {
            step: step.name,
            failureType: details.failureType,
            strategies: strategyIndex < strategies.length ? strategies : [...strategies, strategy],
            current: strategyIndex,
          };
          show();
          if (strategy === 'MANUAL') {
            parkReason = 'MANUAL';
            break;
          }
          const outcome = await applyStrategy(state, step, strategy);
          if (outcome.next === 'strategy') {
            status.failures.pop(); // the next strategy's entry stands for this failure
            continue;
          }
          if (outcome.next === 'skip') {
            report.status = 'skipped';
            recovered(strategy, true);
            break;
          }
          if (outcome.next === 'rolled_back') {
            recovered(strategy, true);
            rolledBack(pipelineRevertReason(details.failureType));
            return finish('rolled_back');
          }
          if (outcome.next === 'park') {
            recovered(strategy, false);
            parkReason = outcome.reason;
            status.failures.push({
              step: step.name,
              failureType: details.failureType,
              strategy: 'MANUAL',
              message: outcome.reason,
            });
            break;
          }
          rerun = true;
          retryable = outcome.retryable;
          pendingRecovery = strategy;
        }
        if (report.status === 'skipped') break;
        if (rerun) continue;
        // MANUAL, or a strategy that needs a person first: park until an operator acts.
        const action = await awaitOperator();
        if (action === 'abort') {
          recovered('MANUAL', false);
          return finish('aborted');
        }
        if (action === 'rollback') {
          await store.restoreCheckpoint({
            checkpointId: state.start.checkpointId,
            workspace: raw.workspace,
          });
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
