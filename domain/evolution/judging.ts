/** The regression judge as an evolution iteration uses it. */
import { judge, scalar, type MetricValue } from '../judge';
import type { EvolutionConfig } from './config';
import type { JudgeSummary } from './decide';
import type { MetricVerdictSummary } from './results';

export interface IterationJudgement extends JudgeSummary {
  metrics: Record<string, MetricVerdictSummary>;
  warnings: string[];
}

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
    metrics[name] = {
      verdict: m.verdict,
      pValue: m.pValue,
      effect: m.effect,
      baseline: m.baseline,
      candidate: m.candidate,
    };
  }
  return {
    safetyScore: report.safetyScore,
    regressed: report.regressed,
    critical: report.critical,
    metrics,
    warnings: [
      ...report.warnings.map((w) => w.message),
      ...report.unjudged.map(
        (name) => `${name}: no policy for this metric, not judged (add one under "policies")`,
      ),
    ],
  };
}

/** One number per metric (the median of samples) for the lineage's history. */
export function scalarHistoryEntry(metrics: Record<string, MetricValue>): Record<string, number> {
  return Object.fromEntries(Object.entries(metrics).map(([k, v]) => [k, scalar(v)]));
}
