/**
 * The statistics behind a same-window verdict for one sampled metric: the
 * shift of the candidate from the baseline with its interval and p-value,
 * by the window's `test` (see window.ts):
 *
 * - `rank`: Hodges–Lehmann interval and Mann–Whitney over the runs,
 *   normalised per round — best when a load lasts a whole round (it cancels);
 * - `trimmed`: Yuen's test on each side's least disturbed half — best when
 *   load switches within a round and only some runs are hit (trimmed.ts);
 * - `both`: each at half the error rate (the interval's tails and α halved,
 *   the p-value doubled: Bonferroni over the two), so a false rollback by
 *   either stays within α; the test whose interval clears the minimum effect
 *   first speaks, else the narrower interval is reported.
 */
import { hodgesLehmannInterval } from './interval';
import { mannWhitneyU } from './mannWhitney';
import type { MetricPolicy } from './policies';
import { median } from './stats';
import { yuenInterval } from './trimmed';

export interface SampledStats {
  effect: number | null;
  lower: number | null;
  upper: number | null;
  pValue: number;
  test: 'rank' | 'trimmed';
}

interface Runs {
  /** Per-run values, normalised per round (rank test). */
  test: { baseline: number[]; candidate: number[] };
  /** Per-run values, raw (trimmed test). */
  runs: { baseline: number[]; candidate: number[] };
}

interface StatsSettings {
  test: 'both' | 'trimmed' | 'rank';
  trim: number;
  minEffect: number;
}

function rankStats(policy: MetricPolicy, p: Runs, confidence: number): SampledStats {
  const ci = hodgesLehmannInterval(p.test.baseline, p.test.candidate, confidence);
  const pValue = mannWhitneyU(p.test.baseline, p.test.candidate).pValue;
  const test = 'rank' as const;
  if (policy.mode === 'absolute')
    return { effect: ci.shift, lower: ci.lower, upper: ci.upper, pValue, test };
  const base = Math.abs(median(p.test.baseline));
  if (base === 0) return { effect: null, lower: null, upper: null, pValue, test };
  const rel = (x: number | null) => (x === null ? null : x / base);
  return { effect: ci.shift / base, lower: rel(ci.lower), upper: rel(ci.upper), pValue, test };
}

/**
 * Relative policies compare log values, so the shift is a ratio (and its
 * interval a ratio interval); readings at or below 0 cannot be logged, and
 * are compared in their unit over the baseline's median.
 */
function trimmedStats(
  policy: MetricPolicy,
  p: Runs,
  confidence: number,
  trim: number,
): SampledStats {
  const badHigh = policy.direction === 'lower_is_better';
  const { baseline, candidate } = p.runs;
  const test = 'trimmed' as const;
  const positive = [...baseline, ...candidate].every((v) => v > 0);
  if (policy.mode === 'relative' && positive) {
    const y = yuenInterval(baseline.map(Math.log), candidate.map(Math.log), {
      trim,
      badHigh,
      confidence,
    });
    const ratio = (x: number | null) => (x === null ? null : Math.expm1(x));
    const [lower, upper] = [ratio(y.lower), ratio(y.upper)];
    return { effect: Math.expm1(y.shift), lower, upper, pValue: y.pValue, test };
  }
  const y = yuenInterval(baseline, candidate, { trim, badHigh, confidence });
  if (policy.mode === 'absolute')
    return { effect: y.shift, lower: y.lower, upper: y.upper, pValue: y.pValue, test };
  const base = Math.abs(median(baseline));
  if (base === 0) return { effect: null, lower: null, upper: null, pValue: y.pValue, test };
  const rel = (x: number | null) => (x === null ? null : x / base);
  return {
    effect: y.shift / base,
    lower: rel(y.lower),
    upper: rel(y.upper),
    pValue: y.pValue,
    test,
  };
}

/** How far the interval clears the minimum effect: > 0 wholly beyond or wholly short of it. */
function clearance(policy: MetricPolicy, s: SampledStats, minEffect: number): number {
  if (s.lower === null || s.upper === null) return -Infinity;
  const lowerIsBetter = policy.direction === 'lower_is_better';
  const badLo = lowerIsBetter ? s.lower : -s.upper;
  const badHi = lowerIsBetter ? s.upper : -s.lower;
  return Math.max(badLo - minEffect, minEffect - badHi);
}

const width = (s: SampledStats) =>
  s.lower === null || s.upper === null ? Infinity : s.upper - s.lower;

export function sampledStats(
  policy: MetricPolicy,
  p: Runs,
  confidence: number,
  settings: StatsSettings,
): SampledStats {
  if (settings.test === 'rank') return rankStats(policy, p, confidence);
  if (settings.test === 'trimmed') return trimmedStats(policy, p, confidence, settings.trim);
  const half = 1 - (1 - confidence) / 2;
  const r = rankStats(policy, p, half);
  const t = trimmedStats(policy, p, half, settings.trim);
  const pValue = Math.min(1, 2 * Math.min(r.pValue, t.pValue));
  if (r.effect === null || t.effect === null) return { ...(r.effect === null ? r : t), pValue };
  const cr = clearance(policy, r, settings.minEffect);
  const ct = clearance(policy, t, settings.minEffect);
  // A test that clears the minimum effect decides (the narrower when both do); a rollback needs its p-value too.
  const narrower = width(t) <= width(r) ? t : r;
  const pick = ct > 0 && cr > 0 ? narrower : ct > 0 ? t : cr > 0 ? r : narrower;
  return { ...pick, pValue };
}
