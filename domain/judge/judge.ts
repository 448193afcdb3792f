/**
 * The regression judge: per metric a verdict (pass, improved, regressed,
 * critical, no_data), a safety score 0–100 over them, and a classification
 * against the marginal and pass thresholds. Pure and deterministic: the
 * evolution workflow calls it directly.
 *
 * With samples on both sides a metric is decided Kayenta's way: a
 * Mann–Whitney U test at `alpha` AND a Hodges–Lehmann shift beyond the
 * effect threshold — noise alone never rolls back, a small real shift still
 * does. With single values, or too few samples for the test to ever reach
 * `alpha`, the threshold rule on the medians decides.
 */
import { z } from 'zod';
import { lineageWarnings, type LineageWarning } from './anomaly';
import { hodgesLehmannShift, mannWhitneyU, minAttainablePValue } from './mannWhitney';
import { MetricReading } from './metrics';
import { policyFor, type MetricPolicy, type MetricPolicyInput } from './policies';
import {
  classify,
  DEFAULT_SCORE_THRESHOLDS,
  safetyScore,
  ScoreThresholds,
  type Classification,
  type Verdict,
} from './score';
import { median } from './stats';

export type { Classification, Verdict } from './score';
export type MetricValue = number | readonly number[];

export interface MetricJudgement {
  metric: string;
  verdict: Verdict;
  /** Two-sided Mann–Whitney p-value; null when the threshold rule decided. */
  pValue: number | null;
  /** Change in the metric's unit (absolute mode) or as a fraction of the baseline (relative mode); + = larger. */
  effect: number | null;
  /** Median of the baseline's samples (or its single value). */
  baseline: number | null;
  /** Median of the candidate's samples (or its single value). */
  candidate: number | null;
  method: 'mann_whitney' | 'threshold' | 'none';
  reason: string;
}

/** How the judge weighs evidence. Every field has a default; see each one. */
export const JudgeSettings = z.object({
  /** Significance level of the Mann–Whitney test. 0.01: a rollback is costly, so one in a hundred unchanged candidates at most. */
  alpha: z.number().gt(0).lt(1).default(0.01),
  /**
   * Smallest shift that samples may call regressed or improved, in each
   * policy's units (a fraction of the baseline for relative policies). It
   * replaces the policies' regressionThreshold when the Mann–Whitney test
   * decides — the test already keeps noise out, so a smaller effect can be
   * trusted — never the criticalThreshold, and never the threshold rule on
   * single values. Unset: each policy's regressionThreshold.
   */
  minEffect: z.number().positive().optional(),
  thresholds: ScoreThresholds.default(DEFAULT_SCORE_THRESHOLDS),
  /** Above this share of judged metrics without data the score is 0. */
  maxNoDataShare: z.number().min(0).max(1).default(0.5),
  /** Fewer samples than this on a side → the threshold rule on medians. */
  minSamples: z.number().int().min(2).default(3),
  /** Lineage warnings look at this many of the most recent accepted versions. */
  historyWindow: z.number().int().min(2).default(10),
});
export type JudgeSettings = z.infer<typeof JudgeSettings>;
export type JudgeSettingsInput = z.input<typeof JudgeSettings>;

export interface JudgeInput extends JudgeSettingsInput {
  baseline: Readonly<Record<string, MetricValue>>;
  candidate: Readonly<Record<string, MetricValue>>;
  /** Policies for metrics beyond the defaults, or overriding them. */
  policies?: Readonly<Record<string, MetricPolicyInput>>;
  testsPassed: boolean;
  /** One scalar per metric for each accepted version, oldest first, for lineage warnings. */
  history?: ReadonlyArray<Readonly<Record<string, number>>>;
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

function verdictFor(policy: MetricPolicy, effect: number, minEffect: number): Verdict {
  const bad = policy.direction === 'lower_is_better' ? effect : -effect;
  if (bad >= policy.criticalThreshold) return 'critical';
  if (bad >= minEffect) return 'regressed';
  if (-bad >= minEffect) return 'improved';
  return 'pass';
}

const formatEffect = (policy: MetricPolicy, effect: number): string =>
  policy.mode === 'relative'
    ? `${effect >= 0 ? '+' : ''}${(effect * 100).toFixed(2)} %`
    : `${effect >= 0 ? '+' : ''}${effect.toPrecision(3)}`;

export function judgeMetric(
  metric: string,
  policy: MetricPolicy,
  baselineValue: MetricValue | undefined,
  candidateValue: MetricValue | undefined,
  options: Pick<JudgeSettings, 'alpha' | 'minSamples' | 'minEffect'>,
): MetricJudgement {
  const none = (reason: string): MetricJudgement => ({
    metric,
    verdict: 'no_data',
    pValue: null,
    effect: null,
    baseline: null,
    candidate: null,
    method: 'none',
    reason,
  });
  if (baselineValue === undefined) return none('no baseline value');
  if (candidateValue === undefined) return none('no candidate value');
  for (const [side, value] of [
    ['baseline', baselineValue],
    ['candidate', candidateValue],
  ] as const) {
    const parsed = MetricReading.safeParse(value);
    if (!parsed.success) return none(`${side} ${parsed.error.issues[0]!.message}`);
  }
  const b = toArray(baselineValue);
  const c = toArray(candidateValue);
  const bMed = median(b);
  const cMed = median(c);
  const testable =
    b.length >= options.minSamples &&
    c.length >= options.minSamples &&
    minAttainablePValue(b.length, c.length) < options.alpha;
  if (testable) {
    const test = mannWhitneyU(b, c);
    const effect = change(policy, bMed, hodgesLehmannShift(b, c));
    const base = { metric, pValue: test.pValue, baseline: bMed, candidate: cMed } as const;
    if (effect === null)
      return {
        ...base,
        verdict: 'no_data',
        effect: null,
        method: 'mann_whitney',
        reason: 'baseline median is 0: no relative change',
      };
    const significant = test.pValue < options.alpha;
    return {
      ...base,
      verdict: significant
        ? verdictFor(policy, effect, options.minEffect ?? policy.regressionThreshold)
        : 'pass',
      effect,
      method: 'mann_whitney',
      reason: significant
        ? `shift ${formatEffect(policy, effect)} (p = ${test.pValue.toPrecision(3)} < ${options.alpha})`
        : `no significant shift (p = ${test.pValue.toPrecision(3)} ≥ ${options.alpha})`,
    };
  }
  const effect = change(policy, bMed, cMed - bMed);
  const base = {
    metric,
    pValue: null,
    baseline: bMed,
    candidate: cMed,
    method: 'threshold',
  } as const;
  if (effect === null)
    return {
      ...base,
      verdict: 'no_data',
      effect: null,
      reason: 'baseline is 0: no relative change',
    };
  const why =
    b.length > 1 || c.length > 1
      ? `too few samples (${b.length} and ${c.length}) for p < ${options.alpha}: threshold rule on medians`
      : 'threshold rule on single values';
  return {
    ...base,
    verdict: verdictFor(policy, effect, policy.regressionThreshold),
    effect,
    reason: `${formatEffect(policy, effect)}; ${why}`,
  };
}

export function judge(input: JudgeInput): JudgeReport {
  const settings = JudgeSettings.parse({
    alpha: input.alpha,
    minEffect: input.minEffect,
    thresholds: input.thresholds,
    maxNoDataShare: input.maxNoDataShare,
    minSamples: input.minSamples,
    historyWindow: input.historyWindow,
  });
  const names = [
    ...new Set([...Object.keys(input.baseline), ...Object.keys(input.candidate)]),
  ].sort();
  const history = (input.history ?? []).slice(-settings.historyWindow);
  const metrics: Record<string, MetricJudgement> = {};
  const unjudged: string[] = [];
  const warnings: LineageWarning[] = [];
  for (const name of names) {
    const policy = policyFor(name, input.policies);
    if (!policy) {
      unjudged.push(name);
      continue;
    }
    const judgement = judgeMetric(
      name,
      policy,
      input.baseline[name],
      input.candidate[name],
      settings,
    );
    metrics[name] = judgement;
    const past = history.map((h) => h[name]).filter((v): v is number => Number.isFinite(v));
    if (judgement.candidate !== null)
      warnings.push(...lineageWarnings(name, past, judgement.candidate, policy));
  }
  const all = Object.values(metrics);
  const score = safetyScore(
    all.map((m) => m.verdict),
    input.testsPassed,
    settings.maxNoDataShare,
  );
  return {
    metrics,
    safetyScore: score,
    classification: classify(score, settings.thresholds),
    regressed: all.filter((m) => m.verdict === 'regressed').map((m) => m.metric),
    critical: all.filter((m) => m.verdict === 'critical').map((m) => m.metric),
    unjudged,
    warnings,
  };
}
