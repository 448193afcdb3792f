/** The pure halves of live versions: service settings, the breaking matrix, the target fallback, the health verdict. */
import { describe, expect, it } from 'vitest';
import {
  compatibilityAction,
  settingsProblem,
  UnhonourableSettings,
  type BreakingSettings,
} from '../../domain/services/breakingPolicy';
import { reasonFromText } from '../../domain/services/revertReason';
import { rollbackTargetWithFallback } from '../../domain/services/rollbackTarget';
import {
  healthVerdict,
  probeFor,
  serviceOf,
  ServiceSettingsError,
} from '../../domain/services/settings';
import { EvolutionConfig } from '../../domain/evolution/config';
import type { VersionRecord, VersionStatus } from '../../domain/versions';

const off: BreakingSettings = {
  requireApproval: false,
  rejectBreaking: false,
  autoRollbackOnBreaking: false,
};

describe('approval × auto-rollback matrix (BREAKING)', () => {
  it('both off: accepted, with a warning', () => {
    const a = compatibilityAction('BREAKING', off);
    expect(a.kind).toBe('accept');
    expect(a.kind === 'accept' && a.warning).toMatch(/BREAKING change accepted/);
  });
  it('approval only: waits; a rejection rejects', () => {
    expect(compatibilityAction('BREAKING', { ...off, requireApproval: true })).toMatchObject({
      kind: 'await_approval',
      onRejection: 'reject',
    });
  });
  it('auto-rollback only: reverted with reason BREAKING', () => {
    expect(compatibilityAction('BREAKING', { ...off, autoRollbackOnBreaking: true })).toMatchObject(
      { kind: 'revert', reason: 'BREAKING' },
    );
  });
  it('both: waits; a rejection or a timeout reverts', () => {
    expect(
      compatibilityAction('BREAKING', {
        ...off,
        requireApproval: true,
        autoRollbackOnBreaking: true,
      }),
    ).toMatchObject({ kind: 'await_approval', onRejection: 'revert' });
  });
  it('rejectBreaking rejects before the candidate becomes a version', () => {
    expect(compatibilityAction('BREAKING', { ...off, rejectBreaking: true }).kind).toBe('reject');
  });
  it('UNKNOWN proceeds with a warning, whatever the settings', () => {
    for (const s of [
      off,
      { ...off, requireApproval: true },
      { ...off, autoRollbackOnBreaking: true },
    ])
      expect(compatibilityAction('UNKNOWN', s)).toMatchObject({
        kind: 'accept',
        warning: expect.stringMatching(/UNKNOWN/),
      });
  });
  it('COMPATIBLE and MINOR_CHANGE are accepted without a warning', () => {
    for (const level of ['COMPATIBLE', 'MINOR_CHANGE'] as const)
      expect(compatibilityAction(level, { ...off, autoRollbackOnBreaking: true })).toEqual({
        kind: 'accept',
        warning: null,
      });
  });
  it('settings that cannot be honoured are refused with a message naming them', () => {
    const both = { ...off, rejectBreaking: true, autoRollbackOnBreaking: true };
    expect(settingsProblem(both)).toMatch(/rejectBreaking and autoRollbackOnBreaking/);
    expect(() => compatibilityAction('COMPATIBLE', both)).toThrow(UnhonourableSettings);
    const timeoutApproves = {
      ...off,
      requireApproval: true,
      autoRollbackOnBreaking: true,
      approvalTimeoutOutcome: 'approve' as const,
    };
    expect(settingsProblem(timeoutApproves)).toMatch(/approvalTimeoutOutcome/);
    expect(settingsProblem({ ...off, requireApproval: true, rejectBreaking: true })).toBeNull();
  });
});

describe('service settings', () => {
  it('none without serve; defaults applied; {port} means side by side', () => {
    expect(serviceOf({})).toBeNull();
    expect(
      serviceOf({ serve: 'node s.js', health: 'http://127.0.0.1:{port}/health' }),
    ).toMatchObject({
      strategy: 'side-by-side',
      healthWindowSec: 10,
      healthIntervalSec: 1,
      healthFailureThreshold: 3,
      health: { kind: 'http' },
    });
    expect(serviceOf({ serve: 'node s.js', health: 'curl -sf localhost:8080' })).toMatchObject({
      strategy: 'stop-then-start',
      health: { kind: 'command' },
    });
  });
  it('refuses what cannot be honoured, naming the field', () => {
    const refused = (f: Parameters<typeof serviceOf>[0], field: string) => {
      try {
        serviceOf(f);
        expect.unreachable();
      } catch (err) {
        expect(err).toBeInstanceOf(ServiceSettingsError);
        expect((err as ServiceSettingsError).field).toBe(field);
      }
    };
    refused({ health: 'http://x/health' }, 'health');
    refused(
      { serve: 'x', health: 'http://x', healthIntervalSec: 20, healthWindowSec: 5 },
      'healthIntervalSec',
    );
    refused(
      { serve: 'x', health: 'http://x', healthFailureThreshold: 50, healthWindowSec: 5 },
      'healthFailureThreshold',
    );
    refused({ serve: '  ' }, 'serve');
    refused({ serve: 'x', healthWindowSec: 0 }, 'healthWindowSec');
    refused({ serve: 'x', health: 'http://exa mple/{port}' }, 'health');
  });
  it('the evolution config file takes the same keys', () => {
    const c = EvolutionConfig.parse({
      moduleId: 'm',
      workspace: '/w',
      candidate: { kind: 'patches', dir: '/p' },
      evaluation: { test: 'true' },
      serve: 'node service.js',
      health: 'http://127.0.0.1:{port}/health',
      healthWindowSec: 5,
      healthIntervalSec: 0.5,
      healthFailureThreshold: 2,
    });
    expect(serviceOf(c)).toMatchObject({ healthWindowSec: 5, strategy: 'side-by-side' });
    expect(() => EvolutionConfig.parse({ ...c, healthFailureThreshold: 0 })).toThrow();
  });
  it('each copy probes its own port', () => {
    expect(probeFor({ kind: 'http', url: 'http://h:{port}/health' }, 4242)).toEqual({
      kind: 'http',
      url: 'http://h:4242/health',
    });
  });
});

describe('health verdict', () => {
  it('reverts at the threshold, counting failed probes and deaths between probes', () => {
    expect(healthVerdict([{ ok: true }, { ok: false }], 2)).toBe('healthy');
    expect(healthVerdict([{ ok: false }, { ok: true }, { ok: false }], 2)).toBe('revert');
    expect(healthVerdict([{ ok: false, deaths: 2 }], 2)).toBe('revert');
  });
});

describe('revert reason from text', () => {
  it('a leading code is the reason; anything else is MANUAL', () => {
    expect(reasonFromText('HEALTH_FAILURE: 502s after deploy')).toEqual({
      reason: 'HEALTH_FAILURE',
      detail: '502s after deploy',
    });
    expect(reasonFromText('DEPENDENCY')).toEqual({ reason: 'DEPENDENCY', detail: 'DEPENDENCY' });
    expect(reasonFromText('customers complain')).toEqual({
      reason: 'MANUAL',
      detail: 'customers complain',
    });
    expect(reasonFromText('NOT_A_CODE: x').reason).toBe('MANUAL');
  });
});

function v(
  version: string,
  parent: string | null,
  status: VersionStatus,
  tags: string[] = [],
): VersionRecord {
  return {
    moduleId: 'm',
    version,
    checkpointId: `m@${version}`,
    checksum: version,
    timestamp: '',
    parentVersion: parent,
    tags,
    status,
  };
}

describe('rollback target with fallback', () => {
  it('walks back along parents first', () => {
    const lineage = [v('v1', null, 'accepted'), v('v2', 'v1', 'active')];
    expect(rollbackTargetWithFallback(lineage)).toMatchObject({
      target: { version: 'v1' },
      fallback: 'none',
    });
  });
  it('a tag nobody carries falls back to the nearest safe ancestor, and says so', () => {
    const lineage = [v('v1', null, 'accepted'), v('v2', 'v1', 'active')];
    expect(rollbackTargetWithFallback(lineage, { tag: 'stable' })).toMatchObject({
      target: { version: 'v1' },
      fallback: 'untagged',
      note: expect.stringMatching(/no ancestor tagged stable/),
    });
  });
  it('no safe ancestor: the newest safe version elsewhere; none at all: no target', () => {
    const lineage = [
      v('v1', null, 'quarantined'),
      v('v2', 'v1', 'accepted'),
      v('v3', 'v1', 'active'),
    ];
    expect(rollbackTargetWithFallback(lineage)).toMatchObject({
      target: { version: 'v2' },
      fallback: 'any_safe',
    });
    expect(rollbackTargetWithFallback([v('v1', null, 'active')])).toMatchObject({
      target: null,
      fallback: 'no_target',
    });
  });
});
