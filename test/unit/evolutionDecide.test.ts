import { describe, expect, it } from 'vitest';
import { EvolutionConfig } from '../../domain/evolution/config';
import {
  decideOnCompatibility,
  decideOnEvaluation,
  type DecisionPolicy,
} from '../../domain/evolution/decide';
import { globToRegExp, scopeViolations } from '../../domain/evolution/editScope';
import { knownGoodVersion } from '../../domain/evolution/recovery';
import type { VersionRecord } from '../../domain/versions';

const policy: DecisionPolicy = {
  requireApproval: false,
  rejectBreaking: false,
  scoreThresholds: { marginal: 50, pass: 75 },
};
const judge = (safetyScore: number, regressed: string[] = [], critical: string[] = []) => ({
  safetyScore,
  regressed,
  critical,
});

describe('decideOnEvaluation', () => {
  it('rolls back on failed tests or gates before looking at metrics', () => {
    expect(
      decideOnEvaluation({ testsPassed: false, failedGates: [] }, judge(100), policy),
    ).toMatchObject({
      kind: 'rollback',
      reason: 'tests failed',
    });
    expect(
      decideOnEvaluation({ testsPassed: true, failedGates: ['npm run lint'] }, null, policy),
    ).toMatchObject({
      kind: 'rollback',
      reason: 'gate failed: npm run lint',
    });
  });

  it('rolls back on regressed or critical metrics and low scores', () => {
    const ok = { testsPassed: true, failedGates: [] };
    expect(decideOnEvaluation(ok, judge(90, ['execution_time']), policy)?.kind).toBe('rollback');
    expect(decideOnEvaluation(ok, judge(0, [], ['accuracy']), policy)?.reason).toMatch(/critical/);
    expect(decideOnEvaluation(ok, judge(40), policy)?.kind).toBe('rollback');
  });

  it('asks a human between marginal and pass, and goes on above pass', () => {
    const ok = { testsPassed: true, failedGates: [] };
    expect(decideOnEvaluation(ok, judge(60), policy)?.kind).toBe('inconclusive');
    expect(decideOnEvaluation(ok, judge(75), policy)).toBeNull();
    expect(decideOnEvaluation(ok, null, policy)).toBeNull();
  });
});

describe('decideOnCompatibility', () => {
  it('rejects BREAKING with rejectBreaking, waits with requireApproval, else accepts', () => {
    expect(decideOnCompatibility('BREAKING', { ...policy, rejectBreaking: true }).kind).toBe(
      'reject',
    );
    expect(decideOnCompatibility('BREAKING', { ...policy, requireApproval: true }).kind).toBe(
      'await_approval',
    );
    expect(decideOnCompatibility('MINOR_CHANGE', { ...policy, requireApproval: true }).kind).toBe(
      'accept',
    );
    expect(decideOnCompatibility('COMPATIBLE', policy).kind).toBe('accept');
  });
});

describe('edit scope', () => {
  it('matches globs the way .gitignore users expect', () => {
    expect(globToRegExp('**/*.test.*').test('src/a/b.test.ts')).toBe(true);
    expect(globToRegExp('**/*.test.*').test('b.test.js')).toBe(true);
    expect(globToRegExp('src/*.ts').test('src/a/b.ts')).toBe(false);
    expect(globToRegExp('.git/**').test('.git/config')).toBe(true);
  });

  it('forbids the judge itself, CI and secrets by default', () => {
    const { editScope } = EvolutionConfig.parse({
      moduleId: 'm',
      workspace: '/w',
      candidate: { kind: 'mutator', command: 'x' },
      evaluation: { test: 'npm test' },
    });
    const v = scopeViolations(
      [
        'src/index.js',
        'test/index.test.js',
        '.github/workflows/ci.yml',
        '.env',
        'bench.js',
        '../etc/passwd',
      ],
      editScope,
    );
    expect(v).toEqual([
      { path: 'test/index.test.js', reason: 'forbidden' },
      { path: '.github/workflows/ci.yml', reason: 'forbidden' },
      { path: '.env', reason: 'forbidden' },
      { path: 'bench.js', reason: 'forbidden' },
      { path: '../etc/passwd', reason: 'outside_workspace' },
    ]);
    expect(
      scopeViolations(['lib/a.js', 'src/a.js'], { allowed: ['src/**'], forbidden: [] }),
    ).toEqual([{ path: 'lib/a.js', reason: 'not_allowed' }]);
  });

  it('refuses scope patterns that climb out of the workspace', () => {
    expect(() =>
      EvolutionConfig.parse({
        moduleId: 'm',
        workspace: '/w',
        candidate: { kind: 'mutator', command: 'x' },
        evaluation: { test: 't' },
        editScope: { forbidden: ['../x'] },
      }),
    ).toThrow(/may not contain/);
  });
});

describe('knownGoodVersion', () => {
  const v = (
    version: string,
    status: VersionRecord['status'],
    tags: string[] = [],
  ): VersionRecord => ({
    moduleId: 'm',
    version,
    checkpointId: `m@${version}`,
    checksum: version,
    timestamp: '2026-01-01T00:00:00Z',
    parentVersion: null,
    tags,
    status,
  });
  it('picks the newest safe stable version not yet tried', () => {
    const lineage = [
      v('v1', 'accepted', ['stable']),
      v('v3', 'quarantined', ['stable']),
      v('v4', 'accepted', ['stable']),
      v('v5', 'active'),
    ];
    expect(knownGoodVersion(lineage, [])?.version).toBe('v4');
    expect(knownGoodVersion(lineage, ['v4'])?.version).toBe('v1');
    expect(knownGoodVersion(lineage, ['v4', 'v1'])).toBeUndefined();
  });
});
