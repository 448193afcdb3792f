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
  }): Promise<StepSuccess> {
    const { step } = input;
    const result = await runCommand({
      command: step.run,
      cwd: input.workspace,
      timeoutSec: step.timeoutSec,
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
      message: `${step.name}: ${failureType} (${result.timedOut ? `timed out after ${step.timeoutSec}s` : `exit ${result.exitCode ?? result.signal}`})`,
      nonRetryable: !input.retryable,
      details: [details],
    });
  },

  /** Before a resume: critical files, the git repository, the tree against its checkpoint, dependency checks. */
  async validatePipelineState(input: {
    workspace: string;
    criticalFiles: string[];
    dependencyChecks: string[];
    expectedChecksum?: string;
    actualChecksum?: string;
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
});
