/**
 * The regression judge: per metric a verdict (pass, improved, regressed,
 * critical, no_data), a safety score 0–100 over them, and a classification
 * against the marginal and pass thresholds. Pure and deterministic: the
 * evolution workflow calls it directly.
 *
 * With samples on both sides a metric is decided Kayenta's way: a
 * Mann–Whitney U test at `alpha` AND a Hodges–Lehmann shift beyond the
 * policy's threshold — noise alone never rolls back, a small real shift still
 * does. With single values, the threshold rule alone decides.
 */
import { lineageWarnings, type LineageWarning } from './anomaly';
import { hodgesLehmannShift, mannWhitneyU } from './mannWhitney';
import { policyFor, type MetricPolicy, type MetricPolicyInput } from './policies';
import { median } from './stats';

export type Verdict = 'pass' | 'improved' | 'regressed' | 'critical' | 'no_data';
export type Classification = 'pass' | 'inconclusive' | 'fail';
export type MetricValue = number | readonly number[];

export interface MetricJudgement {
  metric: string;
  verdict: Verdict;
  /** Two-sided Mann–Whitney p-value; null without samples on both sides. */
  pValue: number | null;
  /** Change in the metric's unit (absolute mode) or as a fraction of the baseline (relative mode); + = larger. */
  effect: number | null;
  baseline: number | null;
  candidate: number | null;
  method: 'mann_whitney' | 'threshold' | 'none';
  reason: string;
}

export interface JudgeInput {
  baseline: Readonly<Record<string, MetricValue>>;
  candidate: Readonly<Record<string, MetricValue>>;
  policies?: Readonly<Record<string, MetricPolicyInput>>;
  /** Significance level. @default 0.01 */
  alpha?: number;
  testsPassed: boolean;
  /** Scalar values of recently accepted versions, oldest first, for lineage warnings. */
  history?: ReadonlyArray<Readonly<Record<string, number>>>;
  thresholds?: { marginal: number; pass: number };
  /** Above this share of judged metrics without data the score is 0. @default 0.5 */
  maxNoDataShare?: number;
  /** Fewer samples than this on a side → the threshold rule on medians. @default 3 */
  minSamples?: number;
}

export interface JudgeReport {
  metrics: Record<string, MetricJudgement>;
  safetyScore: number;
  classification: Classification;
  regressed: string[];
  critical: string[];
  /** Metrics with no policy: reported, never guessed. */
  unjudged: string[];
  warnings: LineageWarning[];
}

const toArray = (v: MetricValue): readonly number[] => (typeof v === 'number' ? [v] : v);
export const scalar = (v: MetricValue): number => median(toArray(v));

function change(policy: MetricPolicy, baseline: number, shift: number): number | null {
  if (policy.mode === 'absolute') return shift;
  if (baseline === 0) return null;
  return shift / Math.abs(baseline);
}

function verdictFor(policy: MetricPolicy, effect: number, significant: boolean): Verdict {
  const bad = policy.direction === 'lower_is_better' ? effect : -effect;
  if (!significant) return 'pass';
  if (bad >= policy.criticalThreshold) return 'critical';
  if (bad >= policy.regressionThreshold) return 'regressed';
  if (-bad >= policy.regressionThreshold) return 'improved';
  return 'pass';
}

export function judgeMetric(
  metric: string,
  policy: MetricPolicy,
  baselineValue: MetricValue | undefined,
  candidateValue: MetricValue | undefined,
  options: { alpha: number; minSamples: number },
): MetricJudgement {
  if (baselineValue === undefined || candidateValue === undefined) {
    const missing = baselineValue === undefined ? 'baseline' : 'candidate';
    return {
      metric,
      verdict: 'no_data',
      pValue: null,
      effect: null,
      baseline: null,
      candidate: null,
      method: 'none',
      reason: `no ${missing} value`,
    };
  }
  const b = toArray(baselineValue);
  const c = toArray(candidateValue);
  const bMed = median(b);
  const cMed = median(c);
  if (b.length >= options.minSamples && c.length >= options.minSamples) {
    const test = mannWhitneyU(b, c);
    const effect = change(policy, bMed, hodgesLehmannShift(b, c));
    if (effect === null) {
      return {
        metric,
        verdict: 'no_data',
        pValue: test.pValue,
        effect: null,
        baseline: bMed,
        candidate: cMed,
        method: 'mann_whitney',
        reason: 'baseline median is 0: no relative change',
      };
    }
    const verdict = verdictFor(policy, effect, test.pValue < options.alpha);
    const reason =
      test.pValue < options.alpha
        ? `shift ${(effect * (policy.mode === 'relative' ? 100 : 1)).toFixed(2)}${policy.mode === 'relative' ? ' %' : ''} (p = ${test.pValue.toPrecision(3)})`
        : `no significant shift (p = ${test.pValue.toPrecision(3)} ≥ ${options.alpha})`;
    return {
      metric,
      verdict,
      pValue: test.pValue,
      effect,
      baseline: bMed,
      candidate: cMed,
      method: 'mann_whitney',
      reason,
    };
  }
  const effect = change(policy, bMed, cMed - bMed);
  if (effect === null) {
    return {
      metric,
      verdict: 'no_data',
      pValue: null,
      effect: null,
      baseline: bMed,
      candidate: cMed,
      method: 'threshold',
      reason: 'baseline is 0: no relative change',
    };
  }
  return {
    metric,
    verdict: verdictFor(policy, effect, true),
    pValue: null,
    effect,
    baseline: bMed,
    candidate: cMed,
    method: 'threshold',
    reason: 'threshold rule on single values',
  };
}

export function judge(input: JudgeInput): JudgeReport {
  const alpha = input.alpha ?? 0.01;
  const thresholds = input.thresholds ?? { marginal: 50, pass: 75 };
  const names = [
    ...new Set([...Object.keys(input.baseline), ...Object.keys(input.candidate)]),
  ].sort();
  const metrics: Record<string, MetricJudgement> = {};
  const unjudged: string[] = [];
  const warnings: LineageWarning[] = [];
  for (const name of names) {
    const policy = policyFor(name, input.policies);
    if (!policy) {
      unjudged.push(name);
      continue;
    }
    const judgement = judgeMetric(name, policy, input.baseline[name], input.candidate[name], {
      alpha,
      minSamples: input.minSamples ?? 3,
    });
    metrics[name] = judgement;
    const history = (input.history ?? [])
      .map((h) => h[name])
      .filter((v): v is number => typeof v === 'number');
    if (judgement.candidate !== null)
      warnings.push(...lineageWarnings(name, history, judgement.candidate, policy));
  }
  const all = Object.values(metrics);
  const regressed = all.filter((m) => m.verdict === 'regressed').map((m) => m.metric);
  const critical = all.filter((m) => m.verdict === 'critical').map((m) => m.metric);
  const noData = all.filter((m) => m.verdict === 'no_data').length;
  const good = all.filter((m) => m.verdict === 'pass' || m.verdict === 'improved').length;
  let safetyScore: number;
  if (!input.testsPassed || critical.length) safetyScore = 0;
  else if (all.length === 0) safetyScore = 100;
  else if (noData / all.length > (input.maxNoDataShare ?? 0.5)) safetyScore = 0;
  else safetyScore = Math.round((100 * good) / all.length);
  const classification: Classification =
    safetyScore >= thresholds.pass
      ? 'pass'
      : safetyScore >= thresholds.marginal
        ? 'inconclusive'
        : 'fail';
  return { metrics, safetyScore, classification, regressed, critical, unjudged, warnings };
}
