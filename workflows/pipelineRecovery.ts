/**
 * One recovery strategy at a time, for `pipelineRun`. Each returns what the
 * run does next: run the step again, try the plan's next strategy (a gate
 * that passed, or a strategy that does not apply here), skip, park for an
 * operator, or stop rolled back. MANUAL itself is the workflow's (it owns
 * the operator update).
 *
 *   RETRY           again, with the lane's Temporal retry policy
 *   WAIT_RETRY      sleep networkWaitSec (durable timer), again
 *   RESUME          restore the last good checkpoint, validate the state, again
 *   CHECK_RESOURCES free memory and disk ≥ the minimums → next strategy; else park
 *   ESCALATE_LANE   the next heavier lane (timeouts, retries, budget), again
 *   GIT_RESET       fetch + reset --hard to the checkpoint's commit, restore, again
 *   AUTO_FIX        the step's autoFix command, again
 *   SKIP            optional steps only (the plan leaves it out for required ones)
 *   ROLLBACK        restore the starting checkpoint and stop
 */
import { proxyActivities, sleep } from '@temporalio/workflow';
import type { Activities } from '../activities';
import {
  heavierLane,
  type Lane,
  type LaneStep,
  type Pipeline,
  type Strategy,
} from '../domain/pipeline';
import type { CheckpointRecord } from '../domain/versions';
import type { PipelineStatus } from './pipeline';

/** Store calls and quick checks: idempotent, retried. */
const local = proxyActivities<Activities>({
  startToCloseTimeout: '5 minutes',
  heartbeatTimeout: '1 minute',
  retry: { maximumAttempts: 5 },
});

/** The user's auto-fix command: its failure is a result, so one attempt. */
function fixer(timeoutSec: number) {
  return proxyActivities<Activities>({
    startToCloseTimeout: `${timeoutSec + 60} seconds`,
    heartbeatTimeout: '30 seconds',
    retry: { maximumAttempts: 1 },
  });
}

/** The run's state that strategies read and move; owned by pipelineRun. */
export interface RunState {
  pipeline: Pipeline;
  workspace: string;
  moduleId: string;
  status: PipelineStatus;
  /** The lane steps run in now: the requested one until an escalation. */
  lane: Lane;
  start: CheckpointRecord;
  lastGood: CheckpointRecord;
  /** Index of the step lastGood was taken after (-1: before the first). */
  lastGoodIndex: number;
}

export type StrategyOutcome =
  | { next: 'rerun'; retryable: boolean }
  | { next: 'strategy' }
  | { next: 'skip' }
  | { next: 'park'; reason: string }
  | { next: 'rolled_back' };

function act(state: RunState, step: LaneStep, strategy: Strategy, ok: boolean, detail: string) {
  state.status.actions.push({ step: step.name, strategy, ok, detail });
}

async function restore(state: RunState, cp: CheckpointRecord): Promise<void> {
  await local.restoreCheckpoint({ checkpointId: cp.checkpointId, workspace: state.workspace });
}

async function resume(state: RunState, step: LaneStep): Promise<StrategyOutcome> {
  const { lastGood, status } = state;
  await restore(state, lastGood);
  const doneBefore = status.steps.slice(0, state.lastGoodIndex + 1);
  status.resumes.push({
    step: step.name,
    fromCheckpoint: lastGood.checkpointId,
    stepsNotRerun: doneBefore.filter((s) => s.status === 'completed').length,
    timeSavedMs: doneBefore.reduce((a, s) => a + s.durationMs, 0),
  });
  const validation = await local.validatePipelineState({
    workspace: state.workspace,
    criticalFiles: state.pipeline.criticalFiles,
    dependencyChecks: state.pipeline.dependencyChecks,
    requireCleanWorkdir: state.pipeline.requireCleanWorkdir,
    expectedChecksum: lastGood.checksum,
    actualChecksum: await local.workspaceChecksum({
      workspace: state.workspace,
      moduleId: state.moduleId,
    }),
  });
  if (validation.ok) return { next: 'rerun', retryable: false };
  // A workspace that fails validation is not resumed: a person looks first.
  return {
    next: 'park',
    reason: `state validation blocked the resume: ${validation.checks
      .filter((c) => !c.ok)
      .map((c) => `${c.check}: ${c.detail}`)
      .join('; ')}`,
  };
}

export async function applyStrategy(
  state: RunState,
  step: LaneStep,
  strategy: Exclude<Strategy, 'MANUAL'>,
): Promise<StrategyOutcome> {
  const { pipeline } = state;
  switch (strategy) {
    case 'RETRY':
      return { next: 'rerun', retryable: true };
    case 'WAIT_RETRY':
      await sleep(pipeline.networkWaitSec * 1000);
      act(state, step, strategy, true, `waited ${pipeline.networkWaitSec}s`);
      return { next: 'rerun', retryable: false };
    case 'RESUME':
      return resume(state, step);
    case 'CHECK_RESOURCES': {
      const r = await local.checkPipelineResources({
        workspace: state.workspace,
        minFreeMemoryMb: pipeline.minFreeMemoryMb,
        minFreeDiskMb: pipeline.minFreeDiskMb,
      });
      act(state, step, strategy, r.ok, r.detail);
      return r.ok
        ? { next: 'strategy' }
        : { next: 'park', reason: `not enough resources to retry: ${r.detail}` };
    }
    case 'ESCALATE_LANE': {
      const to = heavierLane(state.lane);
      if (!to) {
        act(state, step, strategy, false, `already in the heaviest lane (${state.lane})`);
        return { next: 'strategy' };
      }
      state.status.escalations.push({ step: step.name, from: state.lane, to });
      act(state, step, strategy, true, `${state.lane} → ${to}`);
      state.lane = to;
      state.status.currentLane = to;
      return { next: 'rerun', retryable: false };
    }
    case 'GIT_RESET': {
      const r = await local.gitResetPipelineWorkspace({
        workspace: state.workspace,
        commit: state.lastGood.gitCommit,
      });
      act(state, step, strategy, r.ok, r.detail);
      if (!r.ok) return { next: 'strategy' };
      await restore(state, state.lastGood); // the files too: the checkpoint never holds .git
      return { next: 'rerun', retryable: false };
    }
    case 'AUTO_FIX': {
      if (!step.autoFix) {
        act(state, step, strategy, false, 'the step has no autoFix command');
        return { next: 'strategy' };
      }
      const r = await fixer(step.timeoutSec).runPipelineAutoFix({
        workspace: state.workspace,
        command: step.autoFix,
        timeoutSec: step.timeoutSec,
      });
      act(state, step, strategy, r.ok, r.detail);
      return { next: 'rerun', retryable: false };
    }
    case 'SKIP':
      return { next: 'skip' };
    case 'ROLLBACK':
      await restore(state, state.start);
      return { next: 'rolled_back' };
  }
}
