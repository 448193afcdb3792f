/**
 * Pipeline activities: run one step (the user's shell command) and hand the
 * workflow the evidence of a failure; validate the state before a resume.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { activityInfo, ApplicationFailure } from '@temporalio/activity';
import {
  classifyFailure,
  type FailureEvidence,
  type FailureType,
  type LaneStep,
} from '../../domain/pipeline';
import { runCommand } from '../infra/commands';
import { isRepository } from '../agents/git';
import { checkResources, gitResetToCommit, runAutoFix } from './recovery';
import { builtinStateChecks } from './stateChecks';

export interface StepSuccess {
  durationMs: number;
  attempt: number;
}

/** What a failed step's ApplicationFailure carries in its details. */
export interface StepFailureDetails {
  evidence: FailureEvidence;
  failureType: FailureType;
  attempt: number;
  durationMs: number;
}

export interface StateValidation {
  ok: boolean;
  checks: Array<{ check: string; ok: boolean; detail: string }>;
}

export const createPipelineActivities = () => ({
  /** `retryable` is the workflow's call: only under a RETRY strategy may Temporal retry the step. */
  async runPipelineStep(input: {
    workspace: string;
    step: LaneStep;
    retryable: boolean;
    /** The lane the step runs in now (after any escalation); the command sees it as RATCHET_LANE. */
    lane?: string;
    /**
     * When the run's lane budget ends (epoch ms): every attempt, Temporal's
     * retries included, is cut to what is left, so no retry outlives the budget.
     */
    deadlineMs?: number;
  }): Promise<StepSuccess> {
    const { step } = input;
    const leftSec = input.deadlineMs ? (input.deadlineMs - Date.now()) / 1000 : Infinity;
    const timeoutSec = Math.max(1, Math.min(step.timeoutSec, Math.floor(leftSec)));
    if (leftSec < 1) {
      // Nothing left of the lane's budget (a retry after the deadline): do not start the command.
      const evidence: FailureEvidence = {
        timedOut: true,
        exitCode: null,
        signal: null,
        output: 'the lane budget is spent',
        kind: step.kind,
      };
      throw ApplicationFailure.create({
        type: 'PipelineStepFailed',
        message: `${step.name}: timeout (the lane budget is spent)`,
        nonRetryable: true,
        details: [
          {
            evidence,
            failureType: classifyFailure(evidence),
            attempt: activityInfo().attempt,
            durationMs: 0,
          } satisfies StepFailureDetails,
        ],
      });
    }
    const result = await runCommand({
      command: step.run,
      cwd: input.workspace,
      timeoutSec,
      env: { RATCHET_STEP: step.name, ...(input.lane ? { RATCHET_LANE: input.lane } : {}) },
    });
    const attempt = activityInfo().attempt;
    if (result.exitCode === 0 && !result.timedOut)
      return { durationMs: result.durationMs, attempt };
    const evidence: FailureEvidence = {
      timedOut: result.timedOut,
      exitCode: result.exitCode,
      signal: result.signal,
      output: `${result.stdout.slice(-3000)}\n${result.stderrTail.slice(-3000)}`,
      kind: step.kind,
    };
    const failureType = classifyFailure(evidence);
    const details: StepFailureDetails = {
      evidence,
      failureType,
      attempt,
      durationMs: result.durationMs,
    };
    throw ApplicationFailure.create({
      type: 'PipelineStepFailed',
      message: `${step.name}: ${failureType} (${result.timedOut ? `timed out after ${timeoutSec}s` : `exit ${result.exitCode ?? result.signal}`})`,
      nonRetryable: !input.retryable,
      details: [details],
    });
  },

  /**
   * Before a resume: critical files, the git repository, the built-in checks
   * (working directory, configuration, installed dependencies), the tree
   * against its checkpoint, then the pipeline's own dependency checks.
   */
  async validatePipelineState(input: {
    workspace: string;
    criticalFiles: string[];
    dependencyChecks: string[];
    expectedChecksum?: string;
    actualChecksum?: string;
    requireCleanWorkdir?: boolean;
  }): Promise<StateValidation> {
    const checks: StateValidation['checks'] = [];
    for (const file of input.criticalFiles) {
      const ok = existsSync(path.join(input.workspace, file));
      checks.push({ check: `critical file ${file}`, ok, detail: ok ? 'present' : 'missing' });
    }
    if (existsSync(path.join(input.workspace, '.git'))) {
      const ok = await isRepository(input.workspace);
      checks.push({ check: 'git repository', ok, detail: ok ? 'readable' : 'git cannot read it' });
    }
    const builtin = await builtinStateChecks(input.workspace, {
      requireCleanWorkdir: input.requireCleanWorkdir ?? false,
    });
    checks.push(...builtin.filter((c) => c.check !== 'git repository'));
    if (input.expectedChecksum) {
      const ok = input.expectedChecksum === input.actualChecksum;
      checks.push({
        check: 'tree matches checkpoint',
        ok,
        detail: ok ? input.expectedChecksum : `${input.actualChecksum} ≠ ${input.expectedChecksum}`,
      });
    }
    for (const command of input.dependencyChecks) {
      const r = await runCommand({ command, cwd: input.workspace, timeoutSec: 120 });
      checks.push({
        check: `dependency check ${command}`,
        ok: r.exitCode === 0,
        detail: r.exitCode === 0 ? 'passed' : r.stderrTail.slice(-300),
      });
    }
    return { ok: checks.every((c) => c.ok), checks };
  },

  checkPipelineResources: checkResources,
  gitResetPipelineWorkspace: gitResetToCommit,
  runPipelineAutoFix: runAutoFix,
});
