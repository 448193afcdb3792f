/** The regression judge as an evolution iteration uses it. */
import {
  judge,
  lineageWarnings,
  policyFor,
  safetyScore,
  scalar,
  type MetricValue,
  type WindowReport,
} from '../judge';
import type { EvolutionConfig } from './config';
import type { JudgeSummary } from './decide';
import type { MetricVerdictSummary } from './results';

export interface IterationJudgement extends JudgeSummary {
  metrics: Record<string, MetricVerdictSummary>;
  warnings: string[];
}

/** What both judges report per metric; the window adds its interval, tests and rounds. */
function verdictSummary(
  m: Pick<MetricVerdictSummary, 'verdict' | 'pValue' | 'effect' | 'baseline' | 'candidate'>,
): MetricVerdictSummary {
  return {
    verdict: m.verdict,
    pValue: m.pValue,
    effect: m.effect,
    baseline: m.baseline,
    candidate: m.candidate,
  };
}

const unjudgedWarning = (name: string) =>
  `${name}: no policy for this metric, not judged (add one under "policies")`;

export function judgeIteration(input: {
  baseline: Record<string, MetricValue>;
  candidate: Record<string, MetricValue>;
  history: ReadonlyArray<Record<string, number>>;
  config: Pick<EvolutionConfig, 'policies' | 'alpha' | 'minEffect' | 'scoreThresholds'> &
    Partial<Pick<EvolutionConfig, 'enableStatisticalAnalysis' | 'enableAnomalyDetection'>>;
}): IterationJudgement {
  const { enableStatisticalAnalysis = true, enableAnomalyDetection = true } = input.config;
  const report = judge({
    baseline: input.baseline,
    candidate: input.candidate,
    policies: input.config.policies,
    alpha: input.config.alpha,
    minEffect: input.config.minEffect,
    // The seeds' switches: no test means every metric takes the threshold rule on medians;
    // no anomaly detection means no history to warn against.
    ...(enableStatisticalAnalysis ? {} : { minSamples: Number.MAX_SAFE_INTEGER }),
    history: enableAnomalyDetection ? input.history : [],
    thresholds: input.config.scoreThresholds,
    testsPassed: true,
  });
  const metrics: Record<string, MetricVerdictSummary> = {};
  for (const [name, m] of Object.entries(report.metrics)) {
    metrics[name] = verdictSummary(m);
  }
  return {
    safetyScore: report.safetyScore,
    regressed: report.regressed,
    critical: report.critical,
    metrics,
    warnings: [...report.warnings.map((w) => w.message), ...report.unjudged.map(unjudgedWarning)],
  };
}

/** One number per metric (the median of samples) for the lineage's history. */
export function scalarHistoryEntry(metrics: Record<string, MetricValue>): Record<string, number> {
  return Object.fromEntries(Object.entries(metrics).map(([k, v]) => [k, scalar(v)]));
}

export interface WindowJudgement extends IterationJudgement {
  /** Still straddling the minimum effect after maxRounds: a human decides, never a rollback. */
  inconclusive: string[];
  rounds: number;
}

/**
 * The same-window judge's report as an iteration records it: per metric the
 * window's medians, shift, interval, p-values, rounds and minimum detectable
 * effect; the safety score over the metrics that got a verdict; lineage warnings.
 */
export function summariseWindow(input: {
  report: WindowReport;
  history: ReadonlyArray<Record<string, number>>;
  config: Pick<EvolutionConfig, 'policies'>;
}): WindowJudgement {
  const { report } = input;
  const metrics: Record<string, MetricVerdictSummary> = {};
  const warnings: string[] = [];
  for (const [name, m] of Object.entries(report.metrics)) {
    metrics[name] = {
      ...verdictSummary(m),
      method: m.method,
      test: m.test,
      interval: m.interval,
      adjustedPValue: m.adjustedPValue,
      rounds: m.rounds,
      minDetectableEffect: m.minDetectableEffect,
      minEffect: m.minEffect,
      reason: m.reason,
    };
    const policy = policyFor(name, input.config.policies);
    const past = input.history.slice(-10).map((h) => h[name]);
    if (policy && m.candidate !== null)
      warnings.push(
        ...lineageWarnings(
          name,
          past.filter((v): v is number => Number.isFinite(v)),
          m.candidate,
          policy,
        ).map((w) => w.message),
      );
  }
  const verdicts = Object.values(report.metrics)
    .map((m) => m.verdict)
    .filter((v) => v !== 'inconclusive');
  return {
    safetyScore: safetyScore(verdicts, true, 0.5),
    regressed: report.regressed,
    critical: report.critical,
    inconclusive: report.inconclusive,
    rounds: report.rounds,
    metrics,
    warnings: [...warnings, ...report.unjudged.map(unjudgedWarning)],
  };
}
