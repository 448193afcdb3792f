/**
 * The trimmed half of the same-window judge: Student's t against scipy,
 * Yuen's test with no trimming against scipy's Welch test, one-sided trimming
 * by hand, and judgeWindow under its adversary — a neighbour that hits whole
 * runs of one side at a time, which the rank test alone cannot see through.
 */
import { describe, expect, it } from 'vitest';
import {
  judgeWindow,
  roundOrder,
  studentTQuantileUpper,
  studentTSf,
  trimmedSide,
  yuenInterval,
  type WindowMetric,
  type WindowRound,
} from '../../domain/judge';
import { mulberry32 } from '../../domain/judge/random';

describe("Student's t", () => {
  it('matches scipy.stats.t (sf and isf, fractional df)', () => {
    // scipy 1.17: t.sf(2.0, 10), t.isf(0.0025, 7.3), t.sf(0.7, 2.5)
    expect(studentTSf(2.0, 10)).toBeCloseTo(0.03669401738537018, 12);
    expect(studentTQuantileUpper(0.0025, 7.3)).toBeCloseTo(3.9629320921235247, 8);
    expect(studentTSf(0.7, 2.5)).toBeCloseTo(0.271702471594774, 10);
    expect(studentTSf(-0.7, 2.5)).toBeCloseTo(1 - 0.271702471594774, 10);
  });
});

describe("Yuen's trimmed comparison", () => {
  const x = [1.0, 2.1, 3.3, 0.4, 5.2, 2.2, 1.9];
  const y = [2.4, 3.9, 4.1, 2.0, 6.3, 3.1];

  it("is Welch's t-test when nothing is trimmed (scipy ttest_ind, equal_var=False)", () => {
    const r = yuenInterval(x, y, { trim: 0, badHigh: true, confidence: 0.95 });
    expect(r.pValue).toBeCloseTo(0.1527527861230603, 10);
    expect(r.df).toBeCloseTo(10.771981611980616, 9);
    expect(r.lower).toBeCloseTo(-0.5790038266712005, 9);
    expect(r.upper).toBeCloseTo(3.2456704933378675, 9);
  });

  it('trims only the bad tail, winsorising it for the variance', () => {
    // [1, 2, 3, 10] keeping the low half: mean 1.5; winsorised [1, 2, 2, 2], variance 0.25;
    // d = (n − 1) · 0.25 / (h (h − 1)) = 0.375.
    expect(trimmedSide([10, 3, 1, 2], 0.5, true)).toEqual({ mean: 1.5, kept: 2, d: 0.375 });
    // Higher is better: the low tail is the disturbed one.
    expect(trimmedSide([10, 3, 1, 2], 0.5, false)).toMatchObject({ mean: 6.5, kept: 2 });
  });

  it('has no interval when a side keeps fewer than two values, and an exact one without spread', () => {
    expect(
      yuenInterval([5, 6], [5, 7], { trim: 0.5, badHigh: true, confidence: 0.98 }),
    ).toMatchObject({ lower: null, upper: null, pValue: 1 });
    expect(
      yuenInterval([3, 3, 3, 3], [3, 3, 3, 3], { trim: 0.5, badHigh: true, confidence: 0.98 }),
    ).toMatchObject({ shift: 0, lower: 0, upper: 0, pValue: 1 });
    expect(
      yuenInterval([3, 3, 3, 3], [4, 4, 4, 4], { trim: 0.5, badHigh: true, confidence: 0.98 }),
    ).toMatchObject({ shift: 1, lower: 1, upper: 1, pValue: 0 });
  });
});

describe('judgeWindow under a neighbour that hits one side of a round', () => {
  /** In 40 % of the rounds one side's whole run (chosen at random) is slowed 1.3–2×; quiet noise 1 %. */
  const rounds = (count: number, factor: number, seed: number): WindowRound[] => {
    const rand = mulberry32(seed);
    return Array.from({ length: count }, (_, i) => {
      const hit = rand() < 0.4 ? (rand() < 0.5 ? 'baseline' : 'candidate') : 'neither';
      const load = 1.3 + 0.7 * rand();
      const run = (f: number, side: string) =>
        Array.from({ length: 5 }, () => 100 * f * (side === hit ? load : 1) * (1 + 0.01 * rand()));
      return {
        order: roundOrder(i),
        baseline: { execution_time: run(1, 'baseline') },
        candidate: { execution_time: run(factor, 'candidate') },
      };
    });
  };

  it('passes identical code and rolls back 10 % at a 5 % minimum effect, where the rank test alone cannot decide', () => {
    for (const seed of [1, 2, 3]) {
      const same = judgeWindow({ rounds: rounds(16, 1, seed), minEffect: 0.05 });
      expect(same.verdict).toBe('pass');
      const slow = judgeWindow({ rounds: rounds(16, 1.1, seed), minEffect: 0.05 });
      expect(slow.verdict).toBe('regressed');
      expect(slow.metrics.execution_time).toMatchObject({ method: 'window', test: 'trimmed' });
      expect(slow.metrics.execution_time!.effect).toBeCloseTo(0.1, 2);
      const rankOnly = judgeWindow({
        rounds: rounds(16, 1.1, seed),
        minEffect: 0.05,
        test: 'rank',
      });
      // The rank test's interval spans the disturbed runs: far wider, and (seeds 1 and 3) undecided.
      const width = (m: WindowMetric | undefined) => m!.interval!.upper! - m!.interval!.lower!;
      expect(width(rankOnly.metrics.execution_time)).toBeGreaterThan(
        10 * width(slow.metrics.execution_time),
      );
      if (seed !== 2) expect(rankOnly.verdict).toBe('inconclusive');
    }
  });

  it('rolls a 2× slowdown back as critical, and keeps its JSON fields', () => {
    const r = judgeWindow({ rounds: rounds(8, 2, 9) });
    expect(r.verdict).toBe('regressed');
    expect(r.critical).toEqual(['execution_time']);
    expect(Object.keys(r.metrics.execution_time!).sort()).toEqual(
      [
        'adjustedPValue',
        'baseline',
        'candidate',
        'effect',
        'interval',
        'metric',
        'method',
        'minDetectableEffect',
        'minEffect',
        'pValue',
        'reason',
        'rounds',
        'samples',
        'test',
        'verdict',
      ].sort(),
    );
  });
});
