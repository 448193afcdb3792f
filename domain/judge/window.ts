/**
 * Same-window judgement: baseline and candidate measured in interleaved
 * rounds (ABBA), so load that comes and goes hits both sides alike. Pure and
 * deterministic, for workflow code, the CLI and the benchmark.
 *
 * Per metric with samples, each run contributes one value (`perRun`, its
 * least disturbed sample by default), then by `test`:
 *
 * - `trimmed` (default): Yuen's test on the means of each side's least
 *   disturbed half (the bad tail trimmed, see trimmed.ts), on log values for
 *   relative policies — a neighbour's load only ever adds, so the disturbed
 *   runs are set aside instead of widening the interval;
 * - `rank`: the Hodges–Lehmann shift with its interval and the Mann–Whitney
 *   p-value over all runs (each round first divided by its median for
 *   relative policies, `normalizeRounds`).
 *
 * p-values are Holm-corrected across the sampled metrics. The verdict reads
 * the interval against the minimum effect:
 *
 *   interval wholly above minEffect (bad side), adjusted p < α → regressed
 *   interval wholly below minEffect                            → pass / improved
 *   interval straddles minEffect                               → inconclusive:
 *     `moreRounds` asks for more rounds, up to `maxRounds`.
 *
 * Metrics with single values keep the threshold rule (judgeMetric) on the
 * medians of their per-round values.
 */
import { z } from 'zod';
import { judgeMetric } from './judge';
import type { MetricsReport } from './metrics';
import { sampledStats, type SampledStats } from './windowStats';
import { policyFor, type MetricPolicy, type MetricPolicyInput } from './policies';
import type { Verdict } from './score';
import { median } from './stats';

/** One round: the metrics command once on each side, in `order`. */
export interface WindowRound {
  order: 'AB' | 'BA';
  baseline: MetricsReport;
  candidate: MetricsReport;
}

/** Judgements sequential sampling makes from `first` rounds, two more at a time, up to `max`. */
export const sequentialLooks = (first: number, max: number): number =>
  1 + Math.max(0, Math.ceil((max - first) / 2));

/** ABBA: round i runs the baseline first when i is even. */
export const roundOrder = (i: number): WindowRound['order'] => (i % 2 === 0 ? 'AB' : 'BA');

export const WindowSettings = z.object({
  /** Family-wise significance level over the sampled metrics (Holm–Bonferroni). */
  alpha: z.number().gt(0).lt(1).default(0.01),
  /** Confidence of the Hodges–Lehmann interval; Kayenta's 98 %. */
  confidence: z.number().gt(0.5).lt(1).default(0.98),
  /** Smallest shift that matters (policy units); unset: each policy's regressionThreshold. */
  minEffect: z.number().positive().optional(),
  /** Sequential sampling stops asking for rounds here. */
  maxRounds: z.number().int().min(1).max(1000).default(40),
  /**
   * `trimmed`: Yuen's test on each side's least disturbed values (see
   * trimmed.ts); `rank`: Mann–Whitney with the Hodges–Lehmann interval over
   * all runs; `both`: each at half the error rate (Bonferroni), the first to
   * decide wins — see windowStats.ts. `npm run bench -- judge` compares them.
   */
  test: z.enum(['both', 'trimmed', 'rank']).default('both'),
  /** `trimmed`: the share of each side's runs set aside from its bad tail. */
  trim: z.number().min(0).lt(1).default(0.5),
  /** `rank`: divide each round's samples by the round's median (relative policies only). */
  normalizeRounds: z.boolean().default(true),
  /**
   * What a run contributes to the pool: `best` — one value, its least
   * disturbed sample (the minimum when lower is better, as timeit advises);
   * `median` — the median of its samples; `all` — every sample. Samples of
   * one run share the load of the moment, so they are not independent:
   * pooled one by one they make the interval too narrow, and under a noisy
   * neighbour the false-rollback rate exceeds α (see `npm run bench -- judge`).
   */
  perRun: z.enum(['best', 'median', 'all']).default('best'),
  /**
   * How many times sequential sampling may judge this window (see
   * `sequentialLooks`). Each look spends α / looks and widens the interval to
   * 1 − (1 − confidence) / looks (Bonferroni over looks), so stopping at the
   * first look that rolls back does not raise the false-rollback rate.
   */
  looks: z.number().int().min(1).default(1),
});
export type WindowSettings = z.infer<typeof WindowSettings>;
export type WindowSettingsInput = z.input<typeof WindowSettings>;

export type WindowVerdict = Verdict | 'inconclusive';

export interface WindowMetric {
  metric: string;
  verdict: WindowVerdict;
  method: 'window' | 'threshold' | 'none';
  /** Which test the window's verdict rests on (see windowStats.ts); null for the threshold rule. */
  test: 'rank' | 'trimmed' | null;
  /** Medians of the raw pooled samples of each side. */
  baseline: number | null;
  candidate: number | null;
  /** Hodges–Lehmann shift, as a fraction of the baseline (relative) or in the metric's unit (absolute). */
  effect: number | null;
  /** Its confidence interval in the same units; null bounds: too few samples. */
  interval: { lower: number | null; upper: number | null; confidence: number } | null;
  pValue: number | null;
  /** Holm–Bonferroni adjusted over the sampled metrics. */
  adjustedPValue: number | null;
  /** Half the interval's width: smaller shifts cannot be told from noise at these rounds. */
  minDetectableEffect: number | null;
  minEffect: number;
  rounds: number;
  samples: { baseline: number; candidate: number };
  reason: string;
}

export interface WindowReport {
  verdict: 'pass' | 'regressed' | 'inconclusive';
  /** Sequential sampling: run more rounds (inconclusive and below maxRounds). */
  moreRounds: boolean;
  rounds: number;
  metrics: Record<string, WindowMetric>;
  regressed: string[];
  critical: string[];
  inconclusive: string[];
  /** Metrics with no policy: reported, never guessed. */
  unjudged: string[];
}

export interface WindowInput extends WindowSettingsInput {
  rounds: readonly WindowRound[];
  policies?: Readonly<Record<string, MetricPolicyInput>>;
}

/** Holm–Bonferroni step-down adjusted p-values, in the input's order. */
export function holmAdjust(pValues: readonly number[]): number[] {
  const k = pValues.length;
  const order = pValues.map((p, i) => [p, i] as const).sort((a, b) => a[0] - b[0]);
  const adjusted = new Array<number>(k);
  let running = 0;
  order.forEach(([p, i], rank) => {
    running = Math.max(running, Math.min(1, (k - rank) * p));
    adjusted[i] = running;
  });
  return adjusted;
}

const asArray = (v: number | readonly number[] | undefined): readonly number[] =>
  v === undefined ? [] : typeof v === 'number' ? [v] : v;

export interface Pooled {
  raw: { baseline: number[]; candidate: number[] };
  /** What the rank test runs on: one value per run, normalised per round or raw. */
  test: { baseline: number[]; candidate: number[] };
  /** One value per run, never normalised: what the trimmed test runs on. */
  runs: { baseline: number[]; candidate: number[] };
  normalised: boolean;
}

function pool(
  rounds: readonly WindowRound[],
  name: string,
  normalise: boolean,
  perRun: 'best' | 'median' | 'all',
  lowerIsBetter: boolean,
): Pooled {
  const raw = { baseline: [] as number[], candidate: [] as number[] };
  const test = { baseline: [] as number[], candidate: [] as number[] };
  const runs = { baseline: [] as number[], candidate: [] as number[] };
  for (const r of rounds) {
    const bAll = asArray(r.baseline[name]);
    const cAll = asArray(r.candidate[name]);
    raw.baseline.push(...bAll);
    raw.candidate.push(...cAll);
    const summary = (xs: readonly number[]): readonly number[] => {
      if (perRun === 'all' || xs.length === 0) return xs;
      if (perRun === 'median') return [median(xs)];
      return [lowerIsBetter ? Math.min(...xs) : Math.max(...xs)];
    };
    const b = summary(bAll);
    const c = summary(cAll);
    const center = normalise ? median([...b, ...c]) : NaN;
    const scale = center > 0 ? center : 1;
    test.baseline.push(...b.map((v) => v / scale));
    test.candidate.push(...c.map((v) => v / scale));
    runs.baseline.push(...b);
    runs.candidate.push(...c);
  }
  return { raw, test, runs, normalised: normalise };
}

const pct = (x: number) => `${x >= 0 ? '+' : ''}${(x * 100).toFixed(2)} %`;

function format(policy: MetricPolicy, x: number | null): string {
  if (x === null) return '∞';
  return policy.mode === 'relative' ? pct(x) : `${x >= 0 ? '+' : ''}${x.toPrecision(3)}`;
}

function decide(
  policy: MetricPolicy,
  s: SampledStats,
  adjusted: number,
  alpha: number,
  minEffect: number,
): { verdict: WindowVerdict; reason: string } {
  if (s.effect === null)
    return { verdict: 'no_data', reason: 'baseline median is 0: no relative change' };
  const ci = `${format(policy, s.effect)} [${format(policy, s.lower)}, ${format(policy, s.upper)}]`;
  if (s.lower === null || s.upper === null)
    return { verdict: 'inconclusive', reason: `${ci}: too few samples for the interval` };
  const lowerIsBetter = policy.direction === 'lower_is_better';
  const bad = lowerIsBetter ? s.effect : -s.effect;
  const badLo = lowerIsBetter ? s.lower : -s.upper;
  const badHi = lowerIsBetter ? s.upper : -s.lower;
  const min = format(policy, minEffect).replace('+', '');
  if (badLo >= minEffect && adjusted < alpha)
    return {
      verdict: bad >= policy.criticalThreshold ? 'critical' : 'regressed',
      reason: `${ci} wholly beyond the ${min} minimum effect (adjusted p = ${adjusted.toPrecision(3)})`,
    };
  if (badHi < minEffect)
    return {
      verdict: -badHi >= minEffect ? 'improved' : 'pass',
      reason: `${ci} rules out a ${min} regression`,
    };
  return {
    verdict: 'inconclusive',
    reason: `${ci} straddles the ${min} minimum effect`,
  };
}

export function judgeWindow(input: WindowInput): WindowReport {
  const settings = WindowSettings.parse({
    alpha: input.alpha,
    confidence: input.confidence,
    minEffect: input.minEffect,
    maxRounds: input.maxRounds,
    test: input.test,
    trim: input.trim,
    normalizeRounds: input.normalizeRounds,
    perRun: input.perRun,
    looks: input.looks,
  });
  const alpha = settings.alpha / settings.looks;
  const confidence = 1 - (1 - settings.confidence) / settings.looks;
  const rounds = input.rounds;
  const names = [
    ...new Set(rounds.flatMap((r) => [...Object.keys(r.baseline), ...Object.keys(r.candidate)])),
  ].sort();
  const metrics: Record<string, WindowMetric> = {};
  const unjudged: string[] = [];
  const sampled: Array<{
    name: string;
    policy: MetricPolicy;
    pooled: Pooled;
    stats: SampledStats;
  }> = [];
  for (const name of names) {
    const policy = policyFor(name, input.policies);
    if (!policy) {
      unjudged.push(name);
      continue;
    }
    const isSampled = rounds.some(
      (r) => Array.isArray(r.baseline[name]) || Array.isArray(r.candidate[name]),
    );
    const pooled = pool(
      rounds,
      name,
      settings.test !== 'trimmed' && settings.normalizeRounds && policy.mode === 'relative',
      settings.perRun,
      policy.direction === 'lower_is_better',
    );
    const minEffect = settings.minEffect ?? policy.regressionThreshold;
    const nb = pooled.raw.baseline.length;
    const nc = pooled.raw.candidate.length;
    const common = {
      metric: name,
      minEffect,
      rounds: rounds.length,
      samples: { baseline: nb, candidate: nc },
    };
    if (nb === 0 || nc === 0 || !isSampled) {
      // Single values (or a side with nothing): the threshold rule on per-round medians.
      const j = judgeMetric(
        name,
        policy,
        nb ? median(pooled.raw.baseline) : undefined,
        nc ? median(pooled.raw.candidate) : undefined,
        { alpha: settings.alpha, minSamples: 2, minEffect: settings.minEffect },
      );
      metrics[name] = {
        ...common,
        verdict: j.verdict,
        method: j.method === 'none' ? 'none' : 'threshold',
        test: null,
        baseline: j.baseline,
        candidate: j.candidate,
        effect: j.effect,
        interval: null,
        pValue: null,
        adjustedPValue: null,
        minDetectableEffect: null,
        reason: j.reason,
      };
      continue;
    }
    sampled.push({
      name,
      policy,
      pooled,
      stats: sampledStats(policy, pooled, confidence, {
        ...settings,
        minEffect: settings.minEffect ?? policy.regressionThreshold,
      }),
    });
  }
  const adjusted = holmAdjust(sampled.map((s) => s.stats.pValue));
  sampled.forEach(({ name, policy, pooled, stats }, i) => {
    const minEffect = settings.minEffect ?? policy.regressionThreshold;
    const { verdict, reason } = decide(policy, stats, adjusted[i]!, alpha, minEffect);
    metrics[name] = {
      metric: name,
      verdict,
      method: 'window',
      test: stats.test,
      baseline: median(pooled.raw.baseline),
      candidate: median(pooled.raw.candidate),
      effect: stats.effect,
      interval: { lower: stats.lower, upper: stats.upper, confidence },
      pValue: stats.pValue,
      adjustedPValue: adjusted[i]!,
      minDetectableEffect:
        stats.lower === null || stats.upper === null ? null : (stats.upper - stats.lower) / 2,
      minEffect,
      rounds: rounds.length,
      samples: { baseline: pooled.raw.baseline.length, candidate: pooled.raw.candidate.length },
      reason,
    };
  });
  const all = Object.values(metrics);
  const pick = (v: WindowVerdict) => all.filter((m) => m.verdict === v).map((m) => m.metric);
  const regressed = pick('regressed');
  const critical = pick('critical');
  const inconclusive = pick('inconclusive');
  const judged = all.filter((m) => m.verdict !== 'no_data');
  const verdict =
    regressed.length || critical.length
      ? 'regressed'
      : inconclusive.length || (all.length > 0 && judged.length === 0)
        ? 'inconclusive'
        : 'pass';
  return {
    verdict,
    moreRounds:
      inconclusive.length > 0 && verdict === 'inconclusive' && rounds.length < settings.maxRounds,
    rounds: rounds.length,
    metrics,
    regressed,
    critical,
    inconclusive,
    unjudged,
  };
}
