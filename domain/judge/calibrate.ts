/**
 * Calibration from an A/A window (the same tree on both sides): how noisy
 * this machine is per metric, and what the same-window judge would do here.
 *
 * - cv: coefficient of variation of all samples (both sides pooled);
 * - drift: coefficient of variation of the per-round medians — load that
 *   comes and goes between rounds (which interleaving cancels);
 * - falseRollbackRate: the share of relabellings judged regressed. Each
 *   relabelling swaps baseline and candidate in a random half of the rounds —
 *   under A/A every labelling is equally likely, so this is the judge's false
 *   rollback rate on this machine's real noise, at the configured α and minimum effect;
 * - minDetectableEffect: half the width of the A/A interval at these rounds;
 * - suggestedMinEffect: the 95th percentile, over the relabellings, of the
 *   largest regression the interval leaves possible, rounded up (to 0.5 % for
 *   relative policies): with it an unchanged candidate is judged pass, not
 *   inconclusive, about 19 times in 20 at these rounds.
 */
import type { MetricPolicyInput } from './policies';
import { policyFor } from './policies';
import { mulberry32 } from './random';
import { mean, median, quantile, stdDev } from './stats';
import { judgeWindow, type WindowRound, type WindowSettingsInput } from './window';

export interface MetricCalibration {
  metric: string;
  rounds: number;
  samples: number;
  median: number;
  cv: number;
  drift: number;
  falseRollbackRate: number;
  minDetectableEffect: number | null;
  suggestedMinEffect: number | null;
  /** The minimum effect the rates were computed with. */
  minEffect: number;
  mode: 'relative' | 'absolute';
}

export interface Calibration {
  rounds: number;
  resamples: number;
  alpha: number;
  /** Share of relabellings where any metric was judged regressed. */
  falseRollbackRate: number;
  metrics: Record<string, MetricCalibration>;
  unjudged: string[];
}

export interface CalibrateInput extends WindowSettingsInput {
  rounds: readonly WindowRound[];
  policies?: Readonly<Record<string, MetricPolicyInput>>;
  /** @default 200 (fewer when the rounds allow fewer distinct labellings) */
  resamples?: number;
  /** @default 1 */
  seed?: number;
}

const values = (v: number | readonly number[] | undefined): readonly number[] =>
  v === undefined ? [] : typeof v === 'number' ? [v] : v;

const cvOf = (xs: readonly number[]) =>
  xs.length > 1 && mean(xs) !== 0 ? stdDev(xs) / Math.abs(mean(xs)) : 0;

function roundUp(x: number, mode: 'relative' | 'absolute'): number {
  if (mode === 'relative') return Math.max(0.005, Math.ceil(x / 0.005 - 1e-9) * 0.005);
  if (x <= 0) return 0;
  const step = 10 ** (Math.floor(Math.log10(x)) - 1);
  return Math.ceil(x / step) * step;
}

export function calibrate(input: CalibrateInput): Calibration {
  const { rounds, policies, seed = 1 } = input;
  const plain = judgeWindow({ ...input, maxRounds: Math.max(1, rounds.length) });
  const resamples = Math.min(input.resamples ?? 200, 2 ** Math.min(rounds.length, 30));
  const rand = mulberry32(seed);
  const names = Object.keys(plain.metrics);
  const rollbacks = Object.fromEntries(names.map((n) => [n, 0]));
  const worst: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
  let anyRollback = 0;
  for (let r = 0; r < resamples; r++) {
    const relabelled = rounds.map((round) =>
      rand() < 0.5 ? round : { ...round, baseline: round.candidate, candidate: round.baseline },
    );
    const report = judgeWindow({ ...input, rounds: relabelled, maxRounds: rounds.length });
    if (report.verdict === 'regressed') anyRollback++;
    for (const name of names) {
      const m = report.metrics[name]!;
      if (m.verdict === 'regressed' || m.verdict === 'critical') rollbacks[name]!++;
      const policy = policyFor(name, policies)!;
      const lowerIsBetter = policy.direction === 'lower_is_better';
      const bound = m.interval ? (lowerIsBetter ? m.interval.upper : m.interval.lower) : m.effect;
      if (bound !== null) worst[name]!.push(Math.abs(bound));
    }
  }
  const metrics: Record<string, MetricCalibration> = {};
  for (const name of names) {
    const policy = policyFor(name, policies)!;
    const all = rounds.flatMap((r) => [...values(r.baseline[name]), ...values(r.candidate[name])]);
    const roundMedians = rounds
      .map((r) => [...values(r.baseline[name]), ...values(r.candidate[name])])
      .filter((xs) => xs.length > 0)
      .map(median);
    const m = plain.metrics[name]!;
    const w = worst[name]!;
    metrics[name] = {
      metric: name,
      rounds: rounds.length,
      samples: all.length,
      median: median(all),
      cv: cvOf(all),
      drift: cvOf(roundMedians),
      falseRollbackRate: resamples ? rollbacks[name]! / resamples : 0,
      minDetectableEffect: m.minDetectableEffect,
      suggestedMinEffect: w.length ? roundUp(quantile(w, 0.95), policy.mode) : null,
      minEffect: m.minEffect,
      mode: policy.mode,
    };
  }
  return {
    rounds: rounds.length,
    resamples,
    alpha: input.alpha ?? 0.01,
    falseRollbackRate: resamples ? anyRollback / resamples : 0,
    metrics,
    unjudged: plain.unjudged,
  };
}
