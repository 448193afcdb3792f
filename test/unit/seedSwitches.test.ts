/** Issue 17, seeds 000/003: the switches, the seeds' policy shape, event-type globs, known-good recovery. */
import { describe, expect, it } from 'vitest';
import { EvolutionConfig } from '../../domain/evolution/config';
import {
  eventTypeFilter,
  EventTypePattern,
  typesMatching,
} from '../../domain/evolution/eventFilter';
import { judgeIteration } from '../../domain/evolution/judging';
import { knownGoodVersion, knownGoodVersions } from '../../domain/evolution/recovery';
import { unwiredSwitches } from '../../domain/evolution/switches';
import { judge, policyFor } from '../../domain/judge';
import type { VersionRecord } from '../../domain/versions';

const base = {
  moduleId: 'm',
  workspace: '/w',
  candidate: { kind: 'mutator', command: 'x' },
  evaluation: { test: 't' },
} as const;

const issuesOf = (extra: Record<string, unknown>) => {
  const r = EvolutionConfig.safeParse({ ...base, ...extra });
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
};

describe("the seeds' switches", () => {
  it('are accepted at their defaults, which are what ratchet does', () => {
    const c = EvolutionConfig.parse(base);
    expect(c).toMatchObject({
      autoCheckpoint: true,
      autoRollback: true,
      enableCascadingRollback: true,
      enableRollbackFailureRecovery: true,
      enableStatisticalAnalysis: true,
      enableAnomalyDetection: true,
      autoCleanup: false,
    });
    expect(c.rollbackTimeoutSec).toBeUndefined();
    // Spelled out at the defaults, still fine.
    expect(
      issuesOf({ autoRollback: true, autoCheckpoint: true, enableStatisticalAnalysis: false }),
    ).toEqual([]);
  });

  it('accepts every value the cycle honours, and refuses the rest naming the key', () => {
    for (const extra of [
      { autoRollback: false },
      { enableCascadingRollback: false },
      { enableRollbackFailureRecovery: false },
      { autoCleanup: true },
      { autoCleanup: true, maxCheckpoints: 5 },
      { rollbackTimeoutSec: 30 },
    ])
      expect(issuesOf(extra), JSON.stringify(extra)).toEqual([]);
    // Never honoured: every rollback needs the checkpoint; a retention without autoCleanup does nothing.
    for (const [key, value] of [
      ['autoCheckpoint', false],
      ['maxCheckpoints', 5],
    ] as const) {
      const issues = issuesOf({ [key]: value });
      expect(issues.length, key).toBeGreaterThan(0);
      expect(issues[0]).toMatch(new RegExp(`^${key}: ${key}`));
    }
    expect(issuesOf({ sinks: { jsonl: '/tmp/x', types: ['ROLLBACK_*'] } })).toEqual([]);
  });

  it('refuses wrong types and hostile values with the field named', () => {
    expect(issuesOf({ autoRollback: 'yes' })[0]).toMatch(/^autoRollback:/);
    expect(issuesOf({ rollbackTimeoutSec: -1 })[0]).toMatch(/^rollbackTimeoutSec:/);
    expect(issuesOf({ maxCheckpoints: 0 })[0]).toMatch(/^maxCheckpoints:/);
    expect(unwiredSwitches({})).toEqual([]);
  });

  it('enableStatisticalAnalysis: false judges samples by the threshold rule on medians', () => {
    const baseline = { duration_sec: [1, 1.01, 0.99, 1, 1.02, 0.98, 1, 1.01] };
    const candidate = { duration_sec: [1.05, 1.06, 1.04, 1.05, 1.06, 1.04, 1.05, 1.05] };
    const config = EvolutionConfig.parse(base);
    const on = judgeIteration({ baseline, candidate, history: [], config });
    expect(on.metrics.duration_sec!.pValue).not.toBeNull();
    const off = judgeIteration({
      baseline,
      candidate,
      history: [],
      config: { ...config, enableStatisticalAnalysis: false },
    });
    expect(off.metrics.duration_sec!.pValue).toBeNull();
    expect(off.metrics.duration_sec!.verdict).toBe('pass'); // +5 % < the 10 % threshold
  });

  it('enableAnomalyDetection: false drops the history warnings (z-score/IQR/trend)', () => {
    const history = [1, 1.01, 0.99, 1, 1.02, 0.98, 1, 1.01].map((d) => ({ duration_sec: d }));
    const config = EvolutionConfig.parse(base);
    const args = { baseline: { duration_sec: 1 }, candidate: { duration_sec: 1.09 }, history };
    const on = judgeIteration({ ...args, config });
    expect(on.warnings.length).toBeGreaterThan(0);
    const off = judgeIteration({ ...args, config: { ...config, enableAnomalyDetection: false } });
    expect(off.warnings).toEqual([]);
  });
});

describe("the seeds' metric policy shape", () => {
  it('converts { threshold, direction } to ratchet policies', () => {
    const c = EvolutionConfig.parse({
      ...base,
      policies: {
        accuracy: { threshold: 0.05, direction: 'decrease' },
        latency: { threshold: 0.2, direction: 'increase' },
        errors: {
          threshold: 0.01,
          direction: 'increase',
          criticalThreshold: 0.05,
          mode: 'absolute',
        },
        native: { direction: 'lower_is_better', regressionThreshold: 0.1, criticalThreshold: 0.2 },
      },
    });
    expect(c.policies).toEqual({
      accuracy: {
        direction: 'higher_is_better',
        regressionThreshold: 0.05,
        criticalThreshold: 0.1,
        mode: 'relative',
      },
      latency: {
        direction: 'lower_is_better',
        regressionThreshold: 0.2,
        criticalThreshold: 0.4,
        mode: 'relative',
      },
      errors: {
        direction: 'lower_is_better',
        regressionThreshold: 0.01,
        criticalThreshold: 0.05,
        mode: 'absolute',
      },
      native: {
        direction: 'lower_is_better',
        regressionThreshold: 0.1,
        criticalThreshold: 0.2,
        mode: 'relative',
      },
    });
    // The converted config parses again unchanged (the workflow re-parses what the client sends).
    expect(EvolutionConfig.parse(c).policies).toEqual(c.policies);
    // The judge takes the seeds' shape directly too.
    const r = judge({
      baseline: { latency: 1 },
      candidate: { latency: 1.3 },
      policies: { latency: { threshold: 0.2, direction: 'increase' } },
      testsPassed: true,
    });
    expect(r.regressed).toEqual(['latency']);
  });

  it('refuses malformed seed policies naming the field', () => {
    expect(issuesOf({ policies: { a: { threshold: -1, direction: 'increase' } } })[0]).toMatch(
      /^policies\.a\.threshold:/,
    );
    expect(issuesOf({ policies: { a: { threshold: 1, direction: 'up' } } })[0]).toMatch(
      /^policies\.a\.direction:/,
    );
    expect(
      issuesOf({
        policies: { a: { threshold: 0.2, direction: 'increase', criticalThreshold: 0.1 } },
      })[0],
    ).toMatch(/^policies\.a\.criticalThreshold:/);
    expect(
      issuesOf({ policies: { a: { threshold: 0.2, direction: 'increase', extra: 1 } } }).length,
    ).toBeGreaterThan(0);
  });

  it('has defaults for performance and memory_usage (seed 003: +20 %, +30 %)', () => {
    expect(policyFor('performance')).toMatchObject({
      direction: 'lower_is_better',
      regressionThreshold: 0.2,
    });
    expect(policyFor('memory_usage')).toMatchObject({
      direction: 'lower_is_better',
      regressionThreshold: 0.3,
    });
    const r = judge({
      baseline: { performance: 1, memory_usage: 100 },
      candidate: { performance: 1.1, memory_usage: 140 },
      testsPassed: true,
    });
    expect(r.unjudged).toEqual([]);
    expect(r.regressed).toEqual(['memory_usage']);
  });
});

describe('event type globs', () => {
  it('select types by glob, case-insensitively, and refuse typos', () => {
    expect(typesMatching(['ROLLBACK_*'])).toEqual([
      'ROLLBACK_INITIATED',
      'ROLLBACK_COMPLETED',
      'ROLLBACK_FAILED',
      'ROLLBACK_VERIFICATION_PASSED',
      'ROLLBACK_VERIFICATION_FAILED',
      'ROLLBACK_TARGET_FALLBACK',
    ]);
    expect(typesMatching(['*_failed'])).toContain('SINK_DELIVERY_FAILED');
    const keep = eventTypeFilter(['CASCADING_*', 'ROLLBACK_COMPLETED']);
    expect(keep({ type: 'ROLLBACK_COMPLETED' })).toBe(true);
    expect(keep({ type: 'ROLLBACK_FAILED' })).toBe(false);
    expect(keep({ type: 'CASCADING_ROLLBACK_STARTED' })).toBe(true);
    expect(eventTypeFilter(undefined)({ type: 'CYCLE_STARTED' })).toBe(true);
    expect(EventTypePattern.safeParse('ROLBACK_*').success).toBe(false);
    expect(EventTypePattern.safeParse('ROLLBACK_.*|x').success).toBe(false);
    expect(EventTypePattern.safeParse('../x').success).toBe(false);
  });
});

describe('knownGoodVersions (failure recovery targets)', () => {
  const v = (version: string, status: VersionRecord['status'], tags: string[] = [], extra = {}) =>
    ({
      moduleId: 'm',
      version,
      checkpointId: `m@${version}`,
      checksum: version,
      timestamp: '2026-01-01T00:00:00Z',
      parentVersion: null,
      tags,
      status,
      ...extra,
    }) as VersionRecord;
  const lineage = [
    v('v1', 'accepted', ['stable']),
    v('v2', 'accepted', ['stable'], { pruned: true }),
    v('v3', 'quarantined', ['stable']),
    v('v4', 'accepted', ['stable']),
    v('v6', 'accepted', ['stable'], { verified: false }),
    v('v10', 'accepted', ['stable']),
    v('v11', 'active'),
  ];
  it('lists safe stable versions newest first (v10 before v4: numeric, not text), up to a limit', () => {
    expect(knownGoodVersions(lineage, []).map((x) => x.version)).toEqual(['v10', 'v4', 'v1']);
    expect(knownGoodVersions(lineage, [], { limit: 2 }).map((x) => x.version)).toEqual([
      'v10',
      'v4',
    ]);
    expect(knownGoodVersions(lineage, ['v10']).map((x) => x.version)).toEqual(['v4', 'v1']);
    expect(knownGoodVersions(lineage, [], { limit: 0 })).toEqual([]);
    expect(knownGoodVersions(lineage, [], { tag: 'none' })).toEqual([]);
    expect(knownGoodVersions(lineage, [])[0]).toEqual(knownGoodVersion(lineage, []));
  });
});
