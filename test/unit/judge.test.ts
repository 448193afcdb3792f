/**
 * The regression judge against textbook values. Reference p-values come from
 * scipy 1.x: `scipy.stats.mannwhitneyu(x, y, alternative='two-sided',
 * method='exact')` for samples without ties, `method='asymptotic'` (tie and
 * continuity corrected, as ours) with ties.
 */
import { describe, expect, it } from 'vitest';
import {
  erfc,
  hodgesLehmannShift,
  judge,
  judgeMetric,
  lineageWarnings,
  mannWhitneyU,
  MetricsReport,
  quantile,
  slope,
  DEFAULT_POLICIES,
} from '../../domain/judge';

describe('Mann–Whitney U', () => {
  it.each([
    {
      x: [1.1, 2.2, 3.3, 4.4],
      y: [5.5, 6.6, 7.7, 8.8, 9.9],
      u: 0,
      p: 0.015873015873015872,
      method: 'exact',
    },
    { x: [19, 22, 16, 29, 24], y: [20, 11, 17, 12], u: 17, p: 0.1111111111111111, method: 'exact' },
    {
      x: Array.from({ length: 20 }, (_, i) => i),
      y: Array.from({ length: 20 }, (_, i) => i + 3.5),
      u: 136,
      p: 0.0859140199856938,
      method: 'exact',
    },
    {
      x: [1, 2, 2, 3, 4, 5],
      y: [3, 3, 4, 6, 7, 8, 8],
      u: 6.5,
      p: 0.04343396310576019,
      method: 'asymptotic',
    },
    { x: [7, 7, 7], y: [7, 7, 7], u: 4.5, p: 1, method: 'asymptotic' },
  ])('matches scipy: U=$u p=$p ($method)', ({ x, y, u, p, method }) => {
    const r = mannWhitneyU(x, y);
    expect(r.u).toBe(u);
    expect(r.method).toBe(method);
    expect(r.pValue).toBeCloseTo(p, 12);
  });

  it('refuses empty samples and handles n = 1', () => {
    expect(() => mannWhitneyU([], [1])).toThrow(RangeError);
    expect(mannWhitneyU([1], [2]).pValue).toBe(1);
  });

  it('estimates the shift as the median pairwise difference (Hodges–Lehmann)', () => {
    expect(hodgesLehmannShift([1, 2, 3], [11, 12, 13])).toBe(10);
    expect(hodgesLehmannShift([10, 10], [9, 12])).toBe(0.5);
  });
});

describe('stats helpers', () => {
  it('computes erfc, quantiles and slopes', () => {
    expect(erfc(1)).toBeCloseTo(0.157299207050285, 14);
    expect(erfc(5) / 1.537459794428e-12).toBeCloseTo(1, 10);
    expect(quantile([1, 2, 3, 4], 0.25)).toBe(1.75);
    expect(slope([1, 3, 5, 7])).toBe(2);
  });
});

describe('judgeMetric verdicts', () => {
  const opts = { alpha: 0.01, minSamples: 3 };
  const base = Array.from({ length: 20 }, (_, i) => 100 + (i % 5));
  const scaled = (f: number) => base.map((v) => v * f);
  const time = DEFAULT_POLICIES.execution_time!;

  it('decides samples by significance and effect', () => {
    expect(judgeMetric('execution_time', time, base, scaled(1.0), opts).verdict).toBe('pass');
    expect(judgeMetric('execution_time', time, base, scaled(1.15), opts).verdict).toBe('regressed');
    expect(judgeMetric('execution_time', time, base, scaled(1.4), opts).verdict).toBe('critical');
    expect(judgeMetric('execution_time', time, base, scaled(0.8), opts).verdict).toBe('improved');
    // Significant but small: a 3 % shift is below the 10 % regression threshold.
    const small = judgeMetric('execution_time', time, base, scaled(1.03), opts);
    expect(small.pValue).toBeLessThan(0.01);
    expect(small.verdict).toBe('pass');
  });

  it('uses the threshold rule for single values, in the metric direction', () => {
    const acc = DEFAULT_POLICIES.accuracy!;
    expect(judgeMetric('accuracy', acc, 0.9, 0.88, opts).verdict).toBe('pass');
    expect(judgeMetric('accuracy', acc, 0.9, 0.84, opts).verdict).toBe('regressed');
    expect(judgeMetric('accuracy', acc, 0.9, 0.8, opts).verdict).toBe('critical');
    const errors = DEFAULT_POLICIES.error_rate!;
    expect(errors.mode).toBe('absolute');
    expect(judgeMetric('error_rate', errors, 0.01, 0.02, opts).verdict).toBe('pass');
    expect(judgeMetric('error_rate', errors, 0.01, 0.07, opts).verdict).toBe('regressed');
    expect(judgeMetric('error_rate', errors, 0.0, 0.2, opts).verdict).toBe('critical');
  });

  it('reports missing values as no_data', () => {
    expect(judgeMetric('execution_time', time, undefined, 3, opts)).toMatchObject({
      verdict: 'no_data',
      reason: 'no baseline value',
    });
    expect(judgeMetric('execution_time', time, 0, 3, opts).verdict).toBe('no_data');
  });
});

describe('judge', () => {
  const samples = (f: number) => Array.from({ length: 20 }, (_, i) => (100 + (i % 7)) * f);

  it('scores the share of passing metrics, and reports unknown metrics instead of guessing', () => {
    const r = judge({
      baseline: { execution_time: samples(1), accuracy: 0.9, widgets: 3 },
      candidate: { execution_time: samples(1.01), accuracy: 0.91, widgets: 4 },
      testsPassed: true,
    });
    expect(r.safetyScore).toBe(100);
    expect(r.classification).toBe('pass');
    expect(r.unjudged).toEqual(['widgets']);
    expect(Object.keys(r.metrics)).toEqual(['accuracy', 'execution_time']);
  });

  it('forces 0 on failed tests, a critical metric, or too much missing data', () => {
    expect(judge({ baseline: {}, candidate: {}, testsPassed: false }).safetyScore).toBe(0);
    const critical = judge({
      baseline: { execution_time: samples(1) },
      candidate: { execution_time: samples(1.5) },
      testsPassed: true,
    });
    expect(critical).toMatchObject({
      safetyScore: 0,
      critical: ['execution_time'],
      classification: 'fail',
    });
    const missing = judge({
      baseline: { accuracy: 0.9, recall: 0.8, precision: 0.7 },
      candidate: { accuracy: 0.9 },
      testsPassed: true,
    });
    expect(missing.safetyScore).toBe(0);
  });

  it('classifies scores between the marginal and pass thresholds as inconclusive', () => {
    const r = judge({
      baseline: { accuracy: 0.9, recall: 0.8 },
      candidate: { accuracy: 0.9 },
      testsPassed: true,
    });
    expect(r.safetyScore).toBe(50);
    expect(r.classification).toBe('inconclusive');
    expect(
      judge({
        baseline: { accuracy: 0.9, recall: 0.8 },
        candidate: { accuracy: 0.9 },
        testsPassed: true,
        thresholds: { marginal: 60, pass: 80 },
      }).classification,
    ).toBe('fail');
  });

  it('accepts custom policies for new metrics', () => {
    const r = judge({
      baseline: { widgets: 100 },
      candidate: { widgets: 80 },
      policies: {
        widgets: {
          direction: 'higher_is_better',
          regressionThreshold: 0.1,
          criticalThreshold: 0.5,
        },
      },
      testsPassed: true,
    });
    expect(r.regressed).toEqual(['widgets']);
  });
});

describe('lineage warnings', () => {
  const time = DEFAULT_POLICIES.execution_time!;
  it('flags z-score and IQR outliers and a drift the wrong way', () => {
    const kinds = lineageWarnings('execution_time', [100, 101, 99, 100, 102, 98], 130, time).map(
      (w) => w.kind,
    );
    expect(kinds).toEqual(expect.arrayContaining(['zscore', 'iqr', 'trend']));
    expect(lineageWarnings('execution_time', [100, 101, 99, 100], 100.5, time)).toEqual([]);
    expect(lineageWarnings('execution_time', [100, 110], 120, time)).toEqual([]); // too little history
  });
});

describe('MetricsReport', () => {
  it('accepts numbers and sample arrays, and names what is wrong otherwise', () => {
    expect(MetricsReport.parse({ a: 1, b: [1, 2] })).toEqual({ a: 1, b: [1, 2] });
    expect(MetricsReport.safeParse({ a: [] }).error?.issues[0]?.message).toMatch(/cannot be empty/);
    expect(MetricsReport.safeParse({ a: 'fast' }).success).toBe(false);
  });
});
