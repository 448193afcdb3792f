/**
 * The judge step of an iteration: baseline (the pre-candidate checkpoint) and
 * candidate measured in the same window, in the workspace itself (see
 * activities/judge/iterationWindow.ts), then the decision it forces:
 *
 *   regressed / critical (interval wholly beyond the minimum effect) → rollback
 *   still inconclusive at maxRounds                                  → a human decides
 *   otherwise: the safety-score rule, then compatibility.
 *
 * Metrics without samples (single numbers) are measured in the same window,
 * one round: the threshold rule needs one value per side.
 */
import { decideOnEvaluation, type Decision } from '../../domain/evolution/decide';
import type { CandidateFailure, MetricValues } from '../../domain/evolution/failures';
import { summariseWindow } from '../../domain/evolution/judging';
import type { IterationRecord } from '../../domain/evolution/results';
import { JudgeConfig, type EvolutionConfig } from '../../domain/evolution/config';
import { sandboxOf } from '../../domain/sandbox';
import type { VersionRecord } from '../../domain/versions';
import { ApplicationFailure } from '@temporalio/workflow';
import { judge } from './activities';
import type { StepContext } from './context';
import type { IterationInput } from './iterationTypes';

export type JudgeOutcome =
  { kind: 'decision'; decision: Decision | null } | { kind: 'failure'; failure: CandidateFailure };

const pct = (x: number | null | undefined) =>
  x === null || x === undefined ? '?' : `${(x * 100).toFixed(1)} %`;

/** The judge's window over two checkpoints of the workspace, under the cycle's config. */
export function windowInput(
  config: EvolutionConfig,
  baseline: VersionRecord,
  candidate: VersionRecord,
  window: { command: string; rounds: number; maxRounds: number; minEffect: number | undefined },
) {
  const settings = config.judge ?? JudgeConfig.parse({});
  return {
    workspace: config.workspace,
    baselineCheckpointId: baseline.checkpointId,
    candidateCheckpointId: candidate.checkpointId,
    candidateChecksum: candidate.checksum,
    metricsCommand: window.command,
    rounds: window.rounds,
    maxRounds: window.maxRounds,
    timeoutSec: config.evaluation.commandTimeoutSec,
    alpha: config.alpha,
    confidence: settings.confidence,
    minEffect: window.minEffect,
    policies: config.policies,
    sandbox: sandboxOf(config),
  };
}

export async function windowJudgeStep(
  input: IterationInput,
  ctx: StepContext,
  record: IterationRecord,
  pre: VersionRecord,
  candidate: VersionRecord,
  metrics: MetricValues | null,
): Promise<JudgeOutcome> {
  const { config } = input;
  const command = config.evaluation.metrics;
  if (!metrics || !command) return { kind: 'decision', decision: null };
  // Configs from before the window judge (replayed cycles) have no `judge` key.
  const settings = config.judge ?? JudgeConfig.parse({});
  const sampled = Object.values(metrics).some((v) => Array.isArray(v));
  const rounds = sampled ? settings.rounds : 1;
  const maxRounds = sampled ? settings.maxRounds : 1;
  const measured = await judge(
    config.evaluation.commandTimeoutSec,
    maxRounds,
  ).measureIterationWindow(
    windowInput(config, pre, candidate, {
      command,
      rounds,
      maxRounds,
      minEffect: config.minEffect ?? input.calibratedMinEffect ?? undefined,
    }),
  );
  if (measured.failure?.side === 'candidate')
    return {
      kind: 'failure',
      failure: {
        reason: 'metrics_crashed',
        message: `in the judge's window: ${measured.failure.message}`,
      },
    };
  if (measured.failure || !measured.report)
    // The active version's own metrics command failed: not the candidate's doing.
    throw ApplicationFailure.nonRetryable(
      `the baseline's metrics command failed in the judge's window: ${measured.failure?.message ?? 'no report'}`,
      'BaselineMetricsFailed',
    );
  const judgement = summariseWindow({
    report: measured.report,
    history: input.history,
    config,
  });
  record.safetyScore = judgement.safetyScore;
  record.metrics = judgement.metrics;
  record.warnings = judgement.warnings;
  record.judge = {
    rounds: judgement.rounds,
    swaps: measured.cost.swaps,
    swapMs: measured.cost.swapMs,
    measureMs: measured.cost.measureMs,
  };
  if (judgement.regressed.length || judgement.critical.length) {
    ctx.emit('REGRESSION_DETECTED', {
      regressed: judgement.regressed,
      critical: judgement.critical,
      safetyScore: judgement.safetyScore,
      rounds: judgement.rounds,
    });
  }
  const decision = decideOnEvaluation({ testsPassed: true, failedGates: [] }, judgement, config);
  if (decision?.kind === 'rollback' || !judgement.inconclusive.length)
    return { kind: 'decision', decision };
  const why = judgement.inconclusive
    .map((name) => {
      const m = judgement.metrics[name]!;
      return `${name}: ${m.reason ?? 'inconclusive'}; this machine can see ${pct(m.minDetectableEffect)} at ${m.rounds} rounds`;
    })
    .join('; ');
  return {
    kind: 'decision',
    decision: {
      kind: 'inconclusive',
      reason: `judge inconclusive after ${judgement.rounds} rounds (${why}): a human decides`,
    },
  };
}
