/**
 * The measurement loop with a scripted runner (injected through deps): ABBA
 * order, the first judgement after `rounds`, two more rounds at a time while
 * inconclusive, never past `maxRounds`; and calibration on the rounds it gives.
 */
import { describe, expect, it } from 'vitest';
import { measureWindow } from '../../activities/judge/measure';
import { calibrate, mulberry32 } from '../../domain/judge';

function scripted(candidateFactor: number, seed = 1) {
  const rand = mulberry32(seed);
  const calls: string[] = [];
  const run = async ({ cwd }: { cwd: string }) => {
    calls.push(cwd);
    const f = cwd === 'cand' ? candidateFactor : 1;
    return { execution_time: Array.from({ length: 3 }, () => 100 * f * (1 + 0.2 * rand())) };
  };
  return { run, calls };
}

const input = { baselineDir: 'base', candidateDir: 'cand', metricsCommand: 'x' };

describe('measureWindow', () => {
  it('runs ABBA and stops at the first clear verdict', async () => {
    const s = scripted(2);
    const r = await measureWindow({ ...input, rounds: 8 }, { run: s.run });
    expect(r.report.verdict).toBe('regressed');
    expect(r.rounds).toHaveLength(8);
    expect(s.calls.slice(0, 4)).toEqual(['base', 'cand', 'cand', 'base']);
  });

  it('adds rounds two at a time while inconclusive, up to maxRounds', async () => {
    const s = scripted(1.1);
    const seen: number[] = [];
    const r = await measureWindow(
      { ...input, rounds: 6, maxRounds: 11, minEffect: 0.1 },
      { run: s.run, onRound: (i) => seen.push(i) },
    );
    expect(r.report.verdict).toBe('inconclusive');
    expect(r.report.moreRounds).toBe(false);
    expect(r.rounds).toHaveLength(11);
    expect(seen).toEqual([...Array(11).keys()]);
    expect(s.calls).toHaveLength(22);
  });

  it('calibration on an A/A window: rates in [0, 1] and a suggested minimum effect', async () => {
    const s = scripted(1);
    const { rounds } = await measureWindow(
      { ...input, candidateDir: 'base', rounds: 10, maxRounds: 10 },
      { run: s.run },
    );
    const c = calibrate({ rounds });
    const m = c.metrics.execution_time!;
    expect(c.resamples).toBe(200);
    expect(m.falseRollbackRate).toBeLessThanOrEqual(0.05);
    expect(m.cv).toBeGreaterThan(0.01);
    expect(m.suggestedMinEffect).toBeGreaterThan(0);
    expect((m.suggestedMinEffect! * 1000) % 5).toBeCloseTo(0, 6);
  });
});
