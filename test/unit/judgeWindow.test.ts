/**
 * Same-window judgement: the Hodges–Lehmann interval against a brute-force
 * inversion of the exact test (every split of the pooled samples enumerated,
 * no shared code with the DP in mannWhitney.ts), its coverage on simulated
 * data, Holm–Bonferroni, and the interval-vs-minimum-effect decisions.
 */
import { describe, expect, it } from 'vitest';
import {
  hodgesLehmannInterval,
  holmAdjust,
  judgeWindow,
  normalQuantileUpper,
  roundOrder,
  sequentialLooks,
  type WindowRound,
} from '../../domain/judge';
import { mulberry32 as rng } from '../../domain/judge/random';

/** Null counts of U by enumerating every choice of m positions out of m + n. */
function bruteForceUCounts(m: number, n: number): number[] {
  const counts = new Array<number>(m * n + 1).fill(0);
  const choose = (start: number, left: number, chosen: number[]) => {
    if (left === 0) {
      // U of the first sample = pairs (first, second) with the first ranked above.
      let u = 0;
      const isFirst = new Array<boolean>(m + n).fill(false);
      for (const c of chosen) isFirst[c] = true;
      let secondsBelow = 0;
      for (let pos = 0; pos < m + n; pos++) {
        if (isFirst[pos]) u += secondsBelow;
        else secondsBelow++;
      }
      counts[u]!++;
      return;
    }
    for (let i = start; i <= m + n - left; i++) choose(i + 1, left - 1, [...chosen, i]);
  };
  choose(0, m, []);
  return counts;
}

/** Is the shift d rejected by the exact two-sided test at level alpha? */
function rejects(x: number[], y: number[], d: number, counts: number[], alpha: number): boolean {
  let u = 0; // U of the shifted candidate: pairs where y − d beats x
  for (const b of x) for (const c of y) if (c - d > b) u++;
  const total = counts.reduce((a, b) => a + b, 0);
  const k = Math.min(u, x.length * y.length - u);
  let tail = 0;
  for (let i = 0; i <= k; i++) tail += counts[i]!;
  return (2 * tail) / total <= alpha;
}

describe('Hodges–Lehmann interval', () => {
  it.each([
    [5, 6, 0.9],
    [6, 6, 0.98],
    [7, 5, 0.95],
    [8, 8, 0.98],
    [4, 9, 0.9],
  ])('%i × %i at %f equals the brute-force inverted exact test', (m, n, confidence) => {
    const counts = bruteForceUCounts(m, n);
    const rand = rng(m * 100 + n);
    for (let trial = 0; trial < 5; trial++) {
      const x = Array.from({ length: m }, () => 100 + 10 * rand());
      const y = Array.from({ length: n }, () => 104 + 10 * rand());
      const ci = hodgesLehmannInterval(x, y, confidence);
      expect(ci.method).toBe('exact');
      const diffs = y.flatMap((c) => x.map((b) => c - b)).sort((a, b) => a - b);
      // Between consecutive differences U is constant: test every gap's midpoint.
      const probes = [
        diffs[0]! - 1,
        ...diffs.slice(1).map((d, i) => (d + diffs[i]!) / 2),
        diffs.at(-1)! + 1,
      ];
      for (const d of probes) {
        const inside = ci.lower !== null && ci.upper !== null && d > ci.lower && d < ci.upper;
        expect(rejects(x, y, d, counts, 1 - confidence), `d = ${d}`).toBe(!inside);
      }
    }
  });

  it('is unbounded when the samples are too few for the confidence', () => {
    expect(hodgesLehmannInterval([1, 2, 3], [4, 5, 6], 0.98)).toMatchObject({
      lower: null,
      upper: null,
      shift: 3,
    });
  });

  it('covers the true shift about as often as it claims, exact and normal', () => {
    for (const [size, method] of [
      [12, 'exact'],
      [60, 'normal'],
    ] as const) {
      const rand = rng(size);
      const normal = () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
      let covered = 0;
      const trials = 1000;
      for (let t = 0; t < trials; t++) {
        const x = Array.from({ length: size }, () => 10 + normal());
        const y = Array.from({ length: size }, () => 12 + normal());
        const ci = hodgesLehmannInterval(x, y, 0.9);
        expect(ci.method).toBe(method);
        if (ci.lower! <= 2 && 2 <= ci.upper!) covered++;
      }
      expect(covered / trials).toBeGreaterThan(0.86);
      expect(covered / trials).toBeLessThan(0.94);
    }
  });

  it('normalQuantileUpper inverts the normal tail', () => {
    expect(normalQuantileUpper(0.025)).toBeCloseTo(1.959963984540054, 9);
    expect(normalQuantileUpper(0.01)).toBeCloseTo(2.326347874040841, 9);
  });
});

describe('holmAdjust', () => {
  it('matches the textbook step-down (R p.adjust "holm")', () => {
    // p.adjust(c(0.01, 0.04, 0.03, 0.005), "holm") = 0.03 0.06 0.06 0.02
    const r = holmAdjust([0.01, 0.04, 0.03, 0.005]);
    [0.03, 0.06, 0.06, 0.02].forEach((v, i) => expect(r[i]).toBeCloseTo(v, 12));
    expect(holmAdjust([0.5])).toEqual([0.5]);
  });
});

describe('judgeWindow', () => {
  const rand = rng(7);
  /** Rounds of 5 samples a side; each round has its own load factor, shared by both sides. */
  const rounds = (count: number, factor: number, load = () => 1 + rand()): WindowRound[] =>
    Array.from({ length: count }, (_, i) => {
      const l = load();
      const s = (f: number) => Array.from({ length: 5 }, () => 100 * f * l * (1 + 0.02 * rand()));
      return {
        order: roundOrder(i),
        baseline: { execution_time: s(1) },
        candidate: { execution_time: s(factor) },
      };
    });

  it('passes identical code and rolls back a 2× slowdown under a 1–2× load', () => {
    const same = judgeWindow({ rounds: rounds(6, 1) });
    expect(same.verdict).toBe('pass');
    expect(same.metrics.execution_time).toMatchObject({ method: 'window', rounds: 6 });
    expect(same.metrics.execution_time!.minDetectableEffect).toBeLessThan(0.1);
    const slow = judgeWindow({ rounds: rounds(6, 2) });
    expect(slow.verdict).toBe('regressed');
    expect(slow.critical).toEqual(['execution_time']);
    expect(slow.metrics.execution_time!.effect).toBeGreaterThan(0.8);
    expect(judgeWindow({ rounds: rounds(6, 0.7) }).metrics.execution_time!.verdict).toBe(
      'improved',
    );
  });

  it('is inconclusive, asking for more rounds, while the interval straddles the minimum effect', () => {
    const r = judgeWindow({ rounds: rounds(6, 1.1), minEffect: 0.1, maxRounds: 8 });
    expect(r.verdict).toBe('inconclusive');
    expect(r.moreRounds).toBe(true);
    expect(r.metrics.execution_time!.reason).toMatch(/straddles/);
    expect(judgeWindow({ rounds: rounds(8, 1.1), minEffect: 0.1, maxRounds: 8 }).moreRounds).toBe(
      false,
    );
    // Too few samples for a 98 % interval: inconclusive, never a guess.
    const tiny = judgeWindow({
      rounds: rounds(1, 1).map((r) => ({
        ...r,
        baseline: { execution_time: [1, 2] },
        candidate: { execution_time: [1, 2] },
      })),
    });
    expect(tiny.verdict).toBe('inconclusive');
  });

  it('spends α over the looks sequential sampling may take (a wider interval per look)', () => {
    expect(sequentialLooks(6, 20)).toBe(8);
    expect(sequentialLooks(10, 10)).toBe(1);
    const rs = rounds(10, 1.05);
    const once = judgeWindow({ rounds: rs }).metrics.execution_time!;
    const eight = judgeWindow({ rounds: rs, looks: 8 }).metrics.execution_time!;
    expect(eight.interval!.confidence).toBeCloseTo(0.9975, 12);
    expect(eight.interval!.lower!).toBeLessThanOrEqual(once.interval!.lower!);
    expect(eight.interval!.upper!).toBeGreaterThanOrEqual(once.interval!.upper!);
  });

  it('keeps the threshold rule for single values and reports unknown metrics', () => {
    const r = judgeWindow({
      rounds: [0, 1, 2].map((i) => ({
        order: roundOrder(i),
        baseline: { accuracy: 0.9, widgets: 1 },
        candidate: { accuracy: 0.8, widgets: 2 },
      })),
    });
    expect(r.metrics.accuracy).toMatchObject({ method: 'threshold', verdict: 'critical' });
    expect(r.unjudged).toEqual(['widgets']);
    expect(r.verdict).toBe('regressed');
  });

  it('corrects for many metrics: ten unchanged metrics do not raise the rollback rate', () => {
    let rollbacks = 0;
    const trials = 200;
    const r2 = rng(11);
    for (let t = 0; t < trials; t++) {
      const names = Array.from({ length: 10 }, (_, i) => `m${i}`);
      const policies = Object.fromEntries(
        names.map(
          (n) =>
            [
              n,
              { direction: 'lower_is_better', regressionThreshold: 0.001, criticalThreshold: 1 },
            ] as const,
        ),
      );
      const side = () =>
        Object.fromEntries(names.map((n) => [n, Array.from({ length: 5 }, () => 100 + r2())]));
      const rs = Array.from({ length: 6 }, (_, i) => ({
        order: roundOrder(i),
        baseline: side(),
        candidate: side(),
      }));
      if (judgeWindow({ rounds: rs, policies, normalizeRounds: false }).verdict === 'regressed')
        rollbacks++;
    }
    // Uncorrected, ten metrics at α = 0.01 would roll back ~10 % of these.
    expect(rollbacks / trials).toBeLessThanOrEqual(0.02);
  });
});
