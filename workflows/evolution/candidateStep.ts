/**
 * The candidate and evaluation steps of an iteration, each ending in either
 * what was measured or a `CandidateFailure` — never an error for what the
 * candidate did. Errors that escape are the infrastructure's.
 */
import { ActivityFailure, ApplicationFailure, TimeoutFailure } from '@temporalio/workflow';
import type { EvolutionConfig } from '../../domain/evolution/config';
import {
  commandFailure,
  missingPolicedMetrics,
  type CandidateFailure,
  type CandidateResult,
  type MetricValues,
} from '../../domain/evolution/failures';
import type { VersionRecord } from '../../domain/versions';
import { sandboxOf } from '../../domain/sandbox';
import { candidates, commands, patches, store } from './activities';

/** Attempts at applying a candidate when the worker running it is lost (not when it fails). */
const CANDIDATE_ATTEMPTS = 3;

/** A lost worker (missed heartbeat, start-to-close timeout): not the candidate's answer, not a cancel. */
function workerLost(err: unknown): boolean {
  return err instanceof ActivityFailure && err.cause instanceof TimeoutFailure;
}

/**
 * Applies the patch or runs the mutator once. Only a lost worker is tried
 * again, and only after the workspace is put back to the pre-candidate
 * checkpoint, so the edit scope is always judged against that checkpoint.
 */
export async function applyCandidate(
  config: EvolutionConfig,
  pre: VersionRecord,
  patchFile: string | null,
  index: number,
): Promise<CandidateResult> {
  const run = candidates(config.evaluation.commandTimeoutSec);
  for (let attempt = 1; ; attempt++) {
    try {
      if (patchFile) {
        return await run.applyPatch({
          workspace: config.workspace,
          patchFile,
          scope: config.editScope,
        });
      }
      if (config.candidate.kind !== 'mutator') {
        throw ApplicationFailure.nonRetryable('no candidate: patch source without a patch');
      }
      return await run.runMutator({
        workspace: config.workspace,
        command: config.candidate.command,
        timeoutSec: config.evaluation.commandTimeoutSec,
        scope: config.editScope,
        iteration: index,
        sandbox: sandboxOf(config),
      });
    } catch (err) {
      if (!workerLost(err) || attempt >= CANDIDATE_ATTEMPTS) throw err;
      // The lost attempt's processes may still write: stop them before restoring.
      await patches.prepareWorkspace({ workspace: config.workspace });
      await store.restoreCheckpoint({
        checkpointId: pre.checkpointId,
        workspace: config.workspace,
      });
    }
  }
}

export interface Measured {
  testsPassed: boolean;
  failedGates: string[];
  metrics: MetricValues | null;
  /** Wall time of every command run, for the command-time budget. */
  commandMs: number;
  outputTail: string | undefined;
  failure: CandidateFailure | null;
}

/** Tests, then gates, then metrics; the first failure stops the evaluation. */
export async function evaluateCandidate(config: EvolutionConfig): Promise<Measured> {
  const run = commands(config.evaluation.commandTimeoutSec);
  const args = {
    workspace: config.workspace,
    timeoutSec: config.evaluation.commandTimeoutSec,
    sandbox: sandboxOf(config),
  };
  const out: Measured = {
    testsPassed: false,
    failedGates: [],
    metrics: null,
    commandMs: 0,
    outputTail: undefined,
    failure: null,
  };
  const tests = await run.runTests({ ...args, command: config.evaluation.test });
  out.commandMs += tests.durationMs;
  out.testsPassed = tests.passed;
  out.failure = commandFailure('tests_failed', tests, config.evaluation.test);
  if (out.failure) {
    out.outputTail = tests.outputTail.slice(-800);
    return out;
  }
  for (const gate of config.evaluation.gates) {
    const result = await run.runGate({ ...args, command: gate });
    out.commandMs += result.durationMs;
    out.failure = commandFailure('gate_failed', result, gate);
    if (out.failure) {
      out.failedGates.push(gate);
      return out;
    }
  }
  if (config.evaluation.metrics) {
    const metrics = await run.collectMetrics({ ...args, command: config.evaluation.metrics });
    out.commandMs += metrics.durationMs;
    if (!metrics.ok) {
      out.failure = metrics.failure;
      return out;
    }
    const missing = missingPolicedMetrics(metrics.metrics, config.policies);
    if (missing.length) {
      out.failure = {
        reason: 'metric_missing',
        message: `the metrics command left out ${missing.join(', ')}, which ${missing.length > 1 ? 'have policies' : 'has a policy'}`,
      };
      return out;
    }
    out.metrics = metrics.metrics;
  }
  return out;
}

/**
 * Proof of what was judged: the tree after evaluation must still be the
 * candidate's checkpoint; a command that rewrote sources voids the verdict.
 */
export async function provenUnchanged(
  config: EvolutionConfig,
  candidate: VersionRecord,
): Promise<CandidateFailure | null> {
  const checksum = await store.workspaceChecksum({
    workspace: config.workspace,
    moduleId: config.moduleId,
  });
  if (checksum === candidate.checksum) return null;
  return {
    reason: 'changed_during_evaluation',
    message: `the workspace changed while ${candidate.version} was evaluated (tree ${checksum} ≠ ${candidate.checksum})`,
  };
}
