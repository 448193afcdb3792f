/**
 * The Mann–Whitney U test (Wilcoxon rank-sum), two-sided, and the
 * Hodges–Lehmann shift estimate: the pair Kayenta uses to tell a real shift
 * between two sets of samples from noise.
 */
import { median, normalSf } from './stats';

export interface MannWhitneyResult {
  /** U of the first sample (scipy's `statistic`). */
  u: number;
  pValue: number;
  method: 'exact' | 'asymptotic';
}

/** Ranks 1..n of the pooled samples, ties getting their average rank; and the tie groups. */
function rank(values: readonly number[]): { ranks: number[]; tieSizes: number[] } {
  const order = values.map((v, i) => [v, i] as const).sort((a, b) => a[0] - b[0]);
  const ranks = new Array<number>(values.length);
  const tieSizes: number[] = [];
  for (let i = 0; i < order.length;) {
    let j = i;
    while (j + 1 < order.length && order[j + 1]![0] === order[i]![0]) j++;
    const avg = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) ranks[order[k]![1]] = avg;
    if (j > i) tieSizes.push(j - i + 1);
    i = j + 1;
  }
  return { ranks, tieSizes };
}

const distributions = new Map<string, readonly number[]>();

/**
 * Exact null distribution of U for sizes m, n (no ties): P(U = u) for u = 0..mn.
 * Memoised per size pair — a deterministic cache, safe in workflow code — because
 * sequential sampling and the benchmark ask for the same sizes thousands of times.
 */
export function exactDistribution(m: number, n: number): readonly number[] {
  const key = `${m},${n}`;
  let dist = distributions.get(key);
  if (!dist) {
    dist = computeExactDistribution(m, n);
    distributions.set(key, dist);
  }
  return dist;
}

function computeExactDistribution(m: number, n: number): number[] {
  // f[i][j][u]: arrangements of i first-sample and j second-sample values with statistic u.
  let prev: number[][] = Array.from({ length: n + 1 }, () => [1]);
  for (let i = 1; i <= m; i++) {
    const cur: number[][] = [[1]];
    for (let j = 1; j <= n; j++) {
      const size = i * j + 1;
      const row = new Array<number>(size).fill(0);
      const a = prev[j]!; // one fewer of the first sample: it is the largest, beating j others
      const b = cur[j - 1]!; // one fewer of the second sample: it is the largest
      for (let u = 0; u < size; u++) row[u] = (u - j >= 0 ? (a[u - j] ?? 0) : 0) + (b[u] ?? 0);
      cur.push(row);
    }
    prev = cur;
  }
  const counts = prev[n]!;
  const total = counts.reduce((x, y) => x + y, 0);
  return counts.map((c) => c / total);
}

/** Exact when there are no ties and the samples are small enough; otherwise the tie-corrected normal approximation with continuity correction. */
export function mannWhitneyU(x: readonly number[], y: readonly number[]): MannWhitneyResult {
  const m = x.length;
  const n = y.length;
  if (m === 0 || n === 0) throw new RangeError('Mann–Whitney needs two non-empty samples');
  const { ranks, tieSizes } = rank([...x, ...y]);
  const r1 = ranks.slice(0, m).reduce((a, b) => a + b, 0);
  const u = r1 - (m * (m + 1)) / 2;
  if (tieSizes.length === 0 && m <= 50 && n <= 50) {
    const dist = exactDistribution(m, n);
    let cdf = 0;
    for (let k = 0; k <= Math.floor(u); k++) cdf += dist[k]!;
    let sf = 0;
    for (let k = Math.ceil(u); k < dist.length; k++) sf += dist[k]!;
    return { u, pValue: Math.min(1, 2 * Math.min(cdf, sf)), method: 'exact' };
  }
  const N = m + n;
  const tieTerm = tieSizes.reduce((a, t) => a + (t ** 3 - t), 0) / (N * (N - 1));
  const sigma = Math.sqrt(((m * n) / 12) * (N + 1 - tieTerm));
  if (sigma === 0) return { u, pValue: 1, method: 'asymptotic' };
  const z = (Math.abs(u - (m * n) / 2) - 0.5) / sigma;
  return { u, pValue: Math.min(1, 2 * normalSf(Math.max(z, 0))), method: 'asymptotic' };
}

/** Hodges–Lehmann estimate of the shift from `baseline` to `candidate`: the median of all pairwise differences. */
export function hodgesLehmannShift(
  baseline: readonly number[],
  candidate: readonly number[],
): number {
  const diffs: number[] = [];
  for (const c of candidate) for (const b of baseline) diffs.push(c - b);
  return median(diffs);
}

/**
 * The smallest two-sided p-value the test can give for sizes m and n: both
 * samples entirely apart, 2 / C(m + n, m). At α = 0.01 that needs 5 samples a
 * side (4 and 4 give 0.029), so with fewer the test could never flag anything
 * and the judge uses the threshold rule instead.
 */
export function minAttainablePValue(m: number, n: number): number {
  let arrangements = 1;
  for (let i = 1; i <= Math.min(m, n); i++)
    arrangements = (arrangements * (Math.max(m, n) + i)) / i;
  return Math.min(1, 2 / arrangements);
}
