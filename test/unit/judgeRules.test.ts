/**
 * The judge's rules beyond the statistics: when samples are too few for the
 * test, the minimum effect, the lineage window, bad readings, the score and
 * its classification, and what a metrics command may print.
 */
import { describe, expect, it } from 'vitest';
import {
  classify,
  DEFAULT_POLICIES,
  judge,
  JudgeSettings,
  judgeMetric,
  MetricPolicy,
  parseMetricsOutput,
  safetyScore,
} from '../../domain/judge';

const time = DEFAULT_POLICIES.execution_time!;
const opts = { alpha: 0.01, minSamples: 3 };
/** 20 timings around 100 ms with ±2 % spread, scaled by `f`. */
const timings = (f: number) => Array.from({ length: 20 }, (_, i) => (98 + ((i * 7) % 5)) * f);

describe('samples too few for the test', () => {
  it('falls back to the threshold rule when p < alpha is out of reach (3 and 3 samples: p ≥ 0.1)', () => {
    const r = judgeMetric('execution_time', time, [100, 101, 102], [150, 151, 152], opts);
    expect(r).toMatchObject({ method: 'threshold', verdict: 'critical', pValue: null });
    expect(r.reason).toMatch(/too few samples \(3 and 3\)/);
  });

  it('uses the test from 5 samples a side at alpha 0.01', () => {
    const r = judgeMetric(
      'execution_time',
      time,
      [100, 101, 102, 103, 104],
      [150, 151, 152, 153, 154],
      opts,
    );
    expect(r).toMatchObject({ method: 'mann_whitney', verdict: 'critical' });
    expect(r.pValue).toBeCloseTo(2 / 252, 12);
  });

  it('compares a single candidate value with the baseline samples by the threshold rule on medians', () => {
    const r = judgeMetric('execution_time', time, timings(1), 111, opts);
    expect(r).toMatchObject({ method: 'threshold', verdict: 'regressed', baseline: 100 });
  });
});

describe('identical and tied samples', () => {
  it('passes identical sample sets and all-equal samples with p = 1', () => {
    for (const [b, c] of [
      [timings(1), timings(1)],
      [Array(20).fill(5), Array(20).fill(5)],
    ]) {
      const r = judgeMetric('execution_time', time, b, c, opts);
      expect(r).toMatchObject({ verdict: 'pass', pValue: 1, effect: 0, method: 'mann_whitney' });
    }
  });
});

describe('minEffect', () => {
  it('lets samples flag a shift below the policy threshold, never touching critical or single values', () => {
    const six = judgeMetric('execution_time', time, timings(1), timings(1.06), opts);
    expect(six.pValue).toBeLessThan(0.01);
    expect(six.verdict).toBe('pass'); // 6 % < the policy's 10 %
    const withMin = { ...opts, minEffect: 0.05 };
    expect(judgeMetric('execution_time', time, timings(1), timings(1.06), withMin).verdict).toBe(
      'regressed',
    );
    expect(judgeMetric('execution_time', time, timings(1), timings(0.94), withMin).verdict).toBe(
      'improved',
    );
    expect(judgeMetric('execution_time', time, timings(1), timings(1.3), withMin).verdict).toBe(
      'critical',
    );
    expect(judgeMetric('execution_time', time, 100, 106, withMin).verdict).toBe('pass');
  });

  it('flows from judge() input', () => {
    const input = {
      baseline: { execution_time: timings(1) },
      candidate: { execution_time: timings(1.06) },
      testsPassed: true,
    };
    expect(judge(input).regressed).toEqual([]);
    expect(judge({ ...input, minEffect: 0.05 }).regressed).toEqual(['execution_time']);
  });
});

describe('bad readings', () => {
  it('are no_data with the reason, never a verdict on garbage', () => {
    expect(judgeMetric('execution_time', time, [1, NaN, 2], [1, 2, 3], opts)).toMatchObject({
      verdict: 'no_data',
      reason: expect.stringMatching(/^baseline sample 1 must be a finite number, got NaN/),
    });
    expect(judgeMetric('execution_time', time, [1, 2, 3], [], opts)).toMatchObject({
      verdict: 'no_data',
      reason: 'candidate a sample array cannot be empty',
    });
    expect(judgeMetric('execution_time', time, Infinity, 3, opts).verdict).toBe('no_data');
  });
});

describe('lineage window', () => {
  // Fifteen good old versions at 50 ms, then ten at a steady 100 ms.
  const history = [...Array(15).fill(50), ...Array(10).fill(100)].map((v: number, i) => ({
    execution_time: v + (i % 2),
  }));
  const run = (historyWindow?: number) =>
    judge({
      baseline: { execution_time: 100 },
      candidate: { execution_time: 100.5 },
      history,
      historyWindow,
      testsPassed: true,
    }).warnings.map((w) => w.kind);

  it('looks at the last 10 accepted versions by default, further when asked', () => {
    expect(run()).toEqual([]);
    expect(run(25)).toContain('trend');
  });
});

describe('score and classification', () => {
  it('is the share of pass and improved, zeroed by failed tests, a critical metric or too much missing data', () => {
    expect(safetyScore(['pass', 'improved', 'regressed'], true, 0.5)).toBe(67);
    expect(safetyScore(['pass', 'improved'], false, 0.5)).toBe(0);
    expect(safetyScore(['pass', 'pass', 'pass', 'critical'], true, 0.5)).toBe(0);
    expect(safetyScore(['pass', 'no_data'], true, 0.5)).toBe(50);
    expect(safetyScore(['pass', 'no_data', 'no_data'], true, 0.5)).toBe(0);
    expect(safetyScore([], true, 0.5)).toBe(100);
  });

  it('classifies at the threshold boundaries (inclusive)', () => {
    const t = { marginal: 50, pass: 75 };
    expect([classify(75, t), classify(74, t), classify(50, t), classify(49, t)]).toEqual([
      'pass',
      'inconclusive',
      'inconclusive',
      'fail',
    ]);
  });
});

describe('validation', () => {
  it('rejects settings and policies that make no sense', () => {
    expect(JudgeSettings.safeParse({ alpha: 0 }).success).toBe(false);
    expect(JudgeSettings.safeParse({ thresholds: { marginal: 80, pass: 60 } }).success).toBe(false);
    expect(JudgeSettings.parse({})).toMatchObject({
      alpha: 0.01,
      minSamples: 3,
      historyWindow: 10,
    });
    const policy = MetricPolicy.safeParse({
      direction: 'lower_is_better',
      regressionThreshold: 0.3,
      criticalThreshold: 0.1,
    });
    expect(policy.error?.issues[0]?.message).toMatch(/criticalThreshold must not be below/);
    expect(() => judge({ baseline: {}, candidate: {}, testsPassed: true, alpha: 2 })).toThrow();
  });
});

describe('parseMetricsOutput', () => {
  const ok = (stdout: string) => {
    const r = parseMetricsOutput(stdout);
    if (!r.ok) throw new Error(r.error);
    return r.metrics;
  };
  const error = (stdout: string) => {
    const r = parseMetricsOutput(stdout);
    return r.ok ? null : r.error;
  };

  it('finds the report among progress lines, one-line or pretty-printed', () => {
    expect(ok('{"a": 1, "b": [1, 2]}\n')).toEqual({ a: 1, b: [1, 2] });
    expect(ok('warming up\n{"a": 1}\n')).toEqual({ a: 1 });
    expect(ok('{"a": 1}\ndone in 3 s\n')).toEqual({ a: 1 });
    expect(ok('run 1\n{\n  "a": [1,\n    2]\n}\n')).toEqual({ a: [1, 2] });
    expect(ok('{"old": 1}\n{"a": 2}')).toEqual({ a: 2 });
  });

  it('says what is wrong, with the metric and the sample', () => {
    expect(error('{"t": [1, null, 3]}')).toMatch(
      /^metric t: sample 1 is null — JSON has no NaN or Infinity \(JSON.stringify writes them as null\)/,
    );
    expect(error('{"t": NaN}')).toMatch(/contains NaN, which is not JSON/);
    expect(error('{"t": [1, -Infinity]}')).toMatch(/contains -Infinity/);
    expect(error('{"t": []}')).toBe('metric t: a sample array cannot be empty');
    expect(error('{"t": "fast"}')).toBe('metric t: must be a number, got string');
    expect(error('{"t": {"p50": 3}}')).toBe(
      'metric t: must be a number or an array of numbers, got an object',
    );
    expect(error('all good\n')).toMatch(/printed no JSON object/);
    expect(error('[1, 2]')).toMatch(/printed no JSON object/);
  });
});
