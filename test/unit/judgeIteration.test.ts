/**
 * How an iteration reads the same-window judge's report (summariseWindow):
 * every per-metric field of the JSON outcome is kept, an inconclusive metric
 * does not count against the safety score (a human decides it), and a metric
 * with no policy becomes a warning, never a verdict. Plus the judge's config
 * keys: defaults for old configs, errors naming the field.
 */
import { describe, expect, it } from 'vitest';
import { EvolutionConfig } from '../../domain/evolution/config';
import { summariseWindow } from '../../domain/evolution/judging';
import { judgeWindow, type WindowRound } from '../../domain/judge';

const rounds = (factor: number, n: number, spread = 0.01): WindowRound[] =>
  Array.from({ length: n }, (_, i) => ({
    order: i % 2 === 0 ? 'AB' : 'BA',
    baseline: { execution_time: [100 * (1 + spread * (i % 3))], mystery: 1 },
    candidate: { execution_time: [100 * factor * (1 + spread * ((i + 1) % 3))], mystery: 1 },
  }));

describe('summariseWindow', () => {
  it('keeps the window fields per metric and warns about metrics without a policy', () => {
    const report = judgeWindow({ rounds: rounds(2, 8) });
    const j = summariseWindow({ report, history: [], config: { policies: {} } });
    expect(j.critical).toEqual(['execution_time']);
    expect(j.safetyScore).toBe(0);
    expect(j.metrics.execution_time).toMatchObject({
      method: 'window',
      rounds: 8,
      verdict: 'critical',
      interval: { confidence: 0.98 },
      adjustedPValue: expect.any(Number),
      minDetectableEffect: expect.any(Number),
    });
    expect(j.metrics.execution_time!.baseline).toBeCloseTo(101, 0);
    expect(j.warnings.join()).toMatch(/mystery: no policy/);
  });

  it('leaves an inconclusive metric out of the safety score and lists it', () => {
    const report = judgeWindow({ rounds: rounds(1.1, 2, 0.2), maxRounds: 2 });
    expect(report.verdict).toBe('inconclusive');
    const j = summariseWindow({ report, history: [], config: { policies: {} } });
    expect(j.inconclusive).toEqual(['execution_time']);
    expect(j.regressed).toEqual([]);
    expect(j.safetyScore).toBe(100);
  });
});

describe('judge config', () => {
  const base = {
    moduleId: 'm',
    workspace: '/tmp/x',
    candidate: { kind: 'mutator', command: 'true' },
    evaluation: { test: 'true' },
  } as const;

  it('defaults every key, so configs written before it still parse', () => {
    expect(EvolutionConfig.parse(base).judge).toEqual({
      rounds: 8,
      maxRounds: 40,
      confidence: 0.98,
      requireCalibration: false,
      calibrationRounds: 8,
    });
  });

  it.each([
    [{ rounds: 0 }, 'rounds'],
    [{ confidence: 1 }, 'confidence'],
    [{ calibrationRounds: 1 }, 'calibrationRounds'],
    [{ requireCalibration: 'yes' }, 'requireCalibration'],
  ])('refuses %j naming judge.%s', (judge, field) => {
    const r = EvolutionConfig.safeParse({ ...base, judge });
    expect(r.success).toBe(false);
    expect(r.error!.issues[0]!.path).toEqual(['judge', field]);
  });
});
