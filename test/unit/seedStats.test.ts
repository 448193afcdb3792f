/** Issue 17: `evolve stats` counting over event logs, and the seeds' keys on events (pure parts). */
import { describe, expect, it } from 'vitest';
import {
  seedKeys,
  withSeedKeys,
  type EvolutionEvent,
  type EvolutionEventType,
} from '../../domain/evolution/events';
import { evolutionStats, totalStats } from '../../domain/evolution/stats';

let seq = 0;
const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s)).toISOString();
const ev = (
  type: EvolutionEventType,
  s: number,
  iteration: number | null,
  data: Record<string, unknown> = {},
): EvolutionEvent => ({ seq: ++seq, type, at: at(s), moduleId: 'm', iteration, data });

/** Iteration 1: accepted at +2 s. Iteration 2: rollback that cascades once. Iteration 3: every target fails. */
const cycleA = [
  ev('CYCLE_STARTED', 0, null),
  ev('ITERATION_STARTED', 0, 1),
  ev('CANDIDATE_APPLIED', 1, 1),
  ev('EVALUATION_COMPLETED', 1, 1, { testsPassed: true }),
  ev('VERSION_ACCEPTED', 2, 1, { version: 'v2', parent: 'v1' }),
  ev('ITERATION_STARTED', 10, 2),
  ev('CANDIDATE_APPLIED', 11, 2),
  ev('EVALUATION_COMPLETED', 12, 2, { testsPassed: false }),
  ev('ROLLBACK_INITIATED', 14, 2, { to: 'v2', reason: 'tests failed' }),
  ev('ROLLBACK_VERIFICATION_FAILED', 15, 2, { version: 'v2', problems: ['x'] }),
  ev('CASCADING_ROLLBACK_STARTED', 15, 2, { from: 'v2', maxAttempts: 3 }),
  ev('ROLLBACK_INITIATED', 16, 2, { to: 'v1', reason: 'cascading rollback', attempt: 1 }),
  ev('ROLLBACK_VERIFICATION_PASSED', 17, 2, { version: 'v1' }),
  ev('ROLLBACK_COMPLETED', 18, 2, { version: 'v1', verified: true }),
  ev('CASCADING_ROLLBACK_COMPLETED', 18, 2, { version: 'v1', attempts: 1, chain: ['v2', 'v1'] }),
];
const cycleB = [
  ev('ITERATION_STARTED', 100, 1),
  ev('CHECKPOINT_CREATED', 100, 1, { version: 'v5', checkpointId: 'm@v5', reused: false }),
  ev('CANDIDATE_APPLIED', 101, 1),
  ev('ROLLBACK_INITIATED', 104, 1, { to: 'v5', reason: 'x' }),
  ev('ROLLBACK_FAILED', 105, 1, { version: 'v5', error: 'gone' }),
  ev('CASCADING_ROLLBACK_STARTED', 105, 1, { from: 'v5', maxAttempts: 3 }),
  ev('FAILURE_RECOVERY_STARTED', 106, 1, { tried: ['v5'], knownGood: null }),
  ev('NEEDS_ATTENTION', 110, 1, { tried: ['v5'], reason: 'every rollback target failed' }),
];

describe('evolutionStats', () => {
  it('counts rollbacks by how they ended, cascades, recoveries, and time to verdict', () => {
    const s = evolutionStats([cycleA, cycleB]);
    expect(s).toMatchObject({
      cycles: 2,
      iterations: 3,
      evaluations: 2,
      accepted: 1,
      checkpointsCreated: 4, // three candidates and one workspace changed outside ratchet
      rollbacks: {
        total: 2, // the cascade's attempt is part of the first, not a rollback of its own
        succeeded: 1,
        failed: 1,
        successRate: 0.5,
        direct: 0,
        cascade: 1,
        recovery: 0,
        averageMs: (4000 + 6000) / 2,
      },
      cascades: { started: 2, completed: 1 },
      recoveries: { started: 1, completed: 0 },
      verifications: { passed: 1, failed: 1 },
      verdicts: 3,
      averageTimeToVerdictMs: (2000 + 4000 + 4000) / 3,
      lastEventAt: at(110),
    });
  });

  it('is empty, not NaN, for no logs or a log cut short', () => {
    expect(evolutionStats([])).toMatchObject({
      cycles: 0,
      rollbacks: { total: 0, successRate: null, averageMs: null },
      averageTimeToVerdictMs: null,
      lastEventAt: null,
    });
    const cut = evolutionStats([cycleA.slice(0, 10)]);
    expect(cut.rollbacks).toMatchObject({ total: 1, succeeded: 0, failed: 0, successRate: null });
  });

  it('totals weigh each average by what it averages over', () => {
    const a = { ...evolutionStats([cycleA]), checkpoints: { total: 3, live: 3 } };
    const b = { ...evolutionStats([cycleB]), checkpoints: { total: 1, live: 0 } };
    const t = totalStats([a, b]);
    const both = evolutionStats([cycleA, cycleB]);
    expect(t.rollbacks).toEqual(both.rollbacks);
    expect(t.averageTimeToVerdictMs).toBeCloseTo(both.averageTimeToVerdictMs!);
    expect(t.checkpoints).toEqual({ total: 4, live: 3 });
    expect(t.lastEventAt).toBe(at(110));
  });
});

describe("the seeds' keys on events", () => {
  it("adds version_id, verification_passed, rollback_chain… beside ratchet's keys", () => {
    expect(
      seedKeys({ type: 'ROLLBACK_COMPLETED', data: { version: 'v3', verified: true } }),
    ).toEqual({
      version_id: 'v3',
      verification_passed: true,
      success: true,
    });
    expect(seedKeys({ type: 'ROLLBACK_INITIATED', data: { to: 'v2' } })).toEqual({
      version_id: 'v2',
    });
    expect(seedKeys({ type: 'ROLLBACK_VERIFICATION_FAILED', data: { version: 'v2' } })).toEqual({
      version_id: 'v2',
      verification_passed: false,
    });
    expect(
      seedKeys({
        type: 'CASCADING_ROLLBACK_COMPLETED',
        data: { version: 'v1', attempts: 2, chain: ['v3', 'v2', 'v1'] },
      }),
    ).toEqual({
      version_id: 'v1',
      success: true,
      final_version: 'v1',
      rollback_chain: ['v3', 'v2', 'v1'],
    });
    expect(
      seedKeys({
        type: 'FAILURE_RECOVERY_COMPLETED',
        data: { version: 'v1', chain: ['v3', 'v1'] },
      }),
    ).toMatchObject({
      recovery_strategy: 'known_good_version',
      final_version: 'v1',
      success: true,
    });
  });

  it('never overwrites a key the event already has, nor trusts odd types', () => {
    expect(
      seedKeys({ type: 'ROLLBACK_COMPLETED', data: { version: 'v3', version_id: 'mine' } }),
    ).toEqual({
      success: true,
    });
    expect(
      seedKeys({ type: 'ROLLBACK_COMPLETED', data: { version: 42, verified: 'yes' } }),
    ).toEqual({
      success: true,
    });
    const e = ev('CYCLE_STARTED', 0, null, { a: 1 });
    expect(withSeedKeys(e)).toBe(e);
    const r = ev('ROLLBACK_FAILED', 0, 1, { version: 'v2', error: 'x' });
    expect(withSeedKeys(r).data).toEqual({
      version: 'v2',
      error: 'x',
      version_id: 'v2',
      success: false,
    });
    expect(r.data).toEqual({ version: 'v2', error: 'x' }); // the input is not changed
  });
});
