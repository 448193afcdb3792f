/** Candidate-failure classification and the one safe-rollback-target rule, as pure functions. */
import { describe, expect, it } from 'vitest';
import { knownGoodVersion } from '../../domain/evolution/recovery';
import {
  CANDIDATE_FAILURE_REASONS,
  commandFailure,
  missingPolicedMetrics,
} from '../../domain/evolution/failures';
import { isSafeTarget, rollbackTarget, unsafeTargetReason } from '../../domain/lineage';
import type { VersionRecord } from '../../domain/versions';

const ok = { passed: true, timedOut: false, leftProcesses: 0, spawnError: null };

describe('commandFailure', () => {
  it('is null for a clean pass', () => {
    expect(commandFailure('tests_failed', ok, 'npm test')).toBeNull();
  });

  it('names a timeout before a plain failure, and a gone workspace before both', () => {
    expect(
      commandFailure('tests_failed', { ...ok, passed: false, timedOut: true }, 'npm test'),
    ).toMatchObject({ reason: 'timeout' });
    expect(
      commandFailure('gate_failed', { ...ok, passed: false, spawnError: 'ENOENT' }, 'lint'),
    ).toMatchObject({ reason: 'workspace_destroyed' });
    expect(commandFailure('gate_failed', { ...ok, passed: false }, 'lint')).toEqual({
      reason: 'gate_failed',
      message: 'gate failed: lint',
    });
  });

  it('fails a passing command that left processes running', () => {
    expect(commandFailure('tests_failed', { ...ok, leftProcesses: 2 }, 'npm test')).toMatchObject({
      reason: 'processes_left',
    });
  });

  it('only ever answers with a reason from the closed set', () => {
    const verdicts = [
      ok,
      { ...ok, passed: false },
      { ...ok, passed: false, timedOut: true },
      { ...ok, spawnError: 'x' },
      { ...ok, leftProcesses: 1 },
    ];
    for (const v of verdicts) {
      const f = commandFailure('tests_failed', v, 't');
      if (f) expect(CANDIDATE_FAILURE_REASONS).toContain(f.reason);
    }
  });
});

describe('missingPolicedMetrics', () => {
  it('lists configured metrics the report left out, and ignores unpoliced ones', () => {
    expect(missingPolicedMetrics({ a: 1 }, { a: {}, b: {} })).toEqual(['b']);
    expect(missingPolicedMetrics({ a: 1 }, {})).toEqual([]);
  });
});

function v(
  version: string,
  parentVersion: string | null,
  status: VersionRecord['status'],
  extra: Partial<VersionRecord> = {},
): VersionRecord {
  return {
    moduleId: 'm',
    version,
    checkpointId: `m@${version}`,
    parentVersion,
    status,
    tags: [],
    checksum: version,
    timestamp: '2026-01-01T00:00:00Z',
    ...extra,
  };
}

describe('the safe rollback target rule', () => {
  it('never picks a pruned, unverified, rolled-back, rejected, quarantined or pending version', () => {
    const unsafe = [
      v('v2', 'v1', 'accepted', { pruned: true, tags: ['stable'] }),
      v('v3', 'v2', 'accepted', { verified: false, tags: ['stable'] }),
      v('v4', 'v3', 'rolled_back', { tags: ['stable'] }),
      v('v5', 'v4', 'rejected', { tags: ['stable'] }),
      v('v6', 'v5', 'quarantined', { tags: ['stable'] }),
      v('v7', 'v6', 'pending_approval', { tags: ['stable'] }),
    ];
    const lineage = [v('v1', null, 'accepted', { tags: ['stable'] }), ...unsafe];
    lineage.push(v('v8', 'v7', 'active'));
    for (const u of unsafe) {
      expect(isSafeTarget(u)).toBe(false);
      expect(unsafeTargetReason(u)).toMatch(u.version);
    }
    expect(rollbackTarget(lineage)?.version).toBe('v1');
    expect(knownGoodVersion(lineage, [])?.version).toBe('v1');
  });

  it('says nothing against a safe version', () => {
    expect(unsafeTargetReason(v('v1', null, 'accepted'))).toBeNull();
  });
});
