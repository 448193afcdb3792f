/**
 * The Hodges–Lehmann shift with its confidence interval — the interval Kayenta
 * reports (98 % by default). It is the Mann–Whitney test inverted: the shifts
 * d for which "candidate − d" would not differ significantly from the
 * baseline. With the m·n pairwise differences sorted, it runs from the c-th
 * smallest to the c-th largest, c the largest count with P(U ≤ c − 1) ≤ (1 − confidence) / 2.
 */
import { exactDistribution } from './mannWhitney';
import { normalQuantileUpper } from './stats';

export interface ShiftInterval {
  /** Hodges–Lehmann estimate: the median of all candidate − baseline differences. */
  shift: number;
  /** Bounds in the samples' unit; null when too few samples for this confidence. */
  lower: number | null;
  upper: number | null;
  confidence: number;
  method: 'exact' | 'normal';
}

/** Exact null distribution up to this many samples a side; the normal approximation beyond. */
export const EXACT_INTERVAL_MAX = 50;

/** How many pairwise differences the interval cuts off at each end (0: unbounded). */
export function intervalCut(m: number, n: number, confidence: number): number {
  const tail = (1 - confidence) / 2;
  if (m <= EXACT_INTERVAL_MAX && n <= EXACT_INTERVAL_MAX) {
    const dist = exactDistribution(m, n);
    let cdf = 0;
    let c = 0;
    // P(U ≤ c) ≤ tail ⇒ cutting c + 1 differences still keeps the confidence.
    while (c < dist.length && cdf + dist[c]! <= tail + 1e-12) cdf += dist[c++]!;
    return c;
  }
  // Continuity-corrected, matching mannWhitneyU's asymptotic p-value (ties ignored).
  const sigma = Math.sqrt((m * n * (m + n + 1)) / 12);
  return Math.max(0, Math.floor((m * n) / 2 + 0.5 - normalQuantileUpper(tail) * sigma));
}

export function hodgesLehmannInterval(
  baseline: readonly number[],
  candidate: readonly number[],
  confidence = 0.98,
): ShiftInterval {
  const m = baseline.length;
  const n = candidate.length;
  if (m === 0 || n === 0) throw new RangeError('the interval needs two non-empty samples');
  const diffs = new Float64Array(m * n);
  let k = 0;
  for (const c of candidate) for (const b of baseline) diffs[k++] = c - b;
  diffs.sort();
  const cut = intervalCut(m, n, confidence);
  const method = m <= EXACT_INTERVAL_MAX && n <= EXACT_INTERVAL_MAX ? 'exact' : 'normal';
  const mid = diffs.length >> 1;
  const shift = diffs.length % 2 ? diffs[mid]! : (diffs[mid - 1]! + diffs[mid]!) / 2;
  if (cut < 1 || cut > diffs.length - cut + 1)
    return { shift, lower: null, upper: null, confidence, method };
  return {
    shift,
    lower: diffs[cut - 1]!,
    upper: diffs[diffs.length - cut]!,
    confidence,
    method,
  };
}
