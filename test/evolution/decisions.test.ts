/**
 * Every decision path of an evolution iteration, on the real server with real
 * commands and files — asserting the workspace and lineage, not only the result.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evolutionStatus, approveEvolution } from '../../client/evolution';
import { createTestEnv, type TestEnv } from '../helpers';
import { BASE_FILES, CHANGES } from '../support/evolutionFixture';
import { eventTypes, readTree, runCycle } from '../support/evolutionRun';

describe('evolution decisions', () => {
  let env: TestEnv;
  beforeAll(async () => {
    env = await createTestEnv();
  });
  afterAll(async () => env?.teardown());

  it('accepts a real improvement and makes it the active version', async () => {
    const { result, workspace } = await runCycle({
      env,
      name: 'accept',
      plan: { 1: { files: CHANGES.faster } },
    });
    expect(result.state).toBe('completed');
    const [it1] = result.iterations;
    expect(it1).toMatchObject({
      index: 1,
      decision: 'accepted',
      version: 'v2',
      rollbackPerformed: false,
    });
    expect(it1!.metrics.execution_time?.verdict).toBe('improved');
    expect(result.finalVersion).toBe('v2');
    expect(readTree(workspace)['perf.json']).toBe(CHANGES.faster['perf.json']);
    const v2 = result.lineage.find((v) => v.version === 'v2');
    expect(v2).toMatchObject({ status: 'active', parentVersion: 'v1' });
    expect(result.lineage.find((v) => v.version === 'v1')).toMatchObject({
      status: 'accepted',
      tags: expect.arrayContaining(['stable']),
    });
    expect(eventTypes(result)).toEqual(
      expect.arrayContaining([
        'CYCLE_STARTED',
        'CANDIDATE_APPLIED',
        'VERSION_ACCEPTED',
        'CYCLE_COMPLETED',
      ]),
    );
  });

  it('rolls back a candidate whose tests fail, and verifies the restore', async () => {
    const { result, workspace, before } = await runCycle({
      env,
      name: 'testfail',
      plan: { 1: { files: CHANGES.bug } },
    });
    expect(result.iterations[0]).toMatchObject({
      decision: 'rolled_back',
      reason: 'tests failed',
      rollbackPerformed: true,
    });
    expect(readTree(workspace)).toEqual(before);
    expect(result.finalVersion).toBe('v1');
    expect(result.lineage.find((v) => v.version === 'v2')?.status).toBe('rolled_back');
    const types = eventTypes(result);
    expect(types).toEqual(
      expect.arrayContaining([
        'ROLLBACK_INITIATED',
        'ROLLBACK_VERIFICATION_PASSED',
        'ROLLBACK_COMPLETED',
      ]),
    );
    expect(types.indexOf('ROLLBACK_INITIATED')).toBeLessThan(types.indexOf('ROLLBACK_COMPLETED'));
  });

  it('rolls back when a gate fails', async () => {
    const { result, workspace, before } = await runCycle({
      env,
      name: 'gatefail',
      plan: { 1: { files: { ...CHANGES.faster, 'lint.txt': 'bad\n' } } },
      config: {
        evaluation: {
          test: 'node --test',
          gates: ['test ! -f lint.txt'],
          metrics: 'node measure.js',
        },
      },
    });
    expect(result.iterations[0]).toMatchObject({
      decision: 'rolled_back',
      reason: 'gate failed: test ! -f lint.txt',
    });
    expect(readTree(workspace)).toEqual(before);
  });

  it('catches a 12 % slowdown from samples as a statistical regression', async () => {
    const { result, workspace, before } = await runCycle({
      env,
      name: 'regress',
      plan: { 1: { files: CHANGES.slower12 } },
    });
    const [it1] = result.iterations;
    expect(it1).toMatchObject({ decision: 'rolled_back' });
    expect(it1!.metrics.execution_time).toMatchObject({ verdict: 'regressed' });
    expect(it1!.metrics.execution_time!.pValue).toBeLessThan(0.01);
    expect(eventTypes(result)).toContain('REGRESSION_DETECTED');
    expect(readTree(workspace)).toEqual(before);
  });

  it('treats a 50 % slowdown as critical', async () => {
    const { result } = await runCycle({
      env,
      name: 'critical',
      plan: { 1: { files: CHANGES.slower50 } },
    });
    expect(result.iterations[0]!.metrics.execution_time?.verdict).toBe('critical');
    expect(result.iterations[0]).toMatchObject({ decision: 'rolled_back', safetyScore: 0 });
  });

  it('rejects a BREAKING change when rejectBreaking is set', async () => {
    const { result, workspace, before } = await runCycle({
      env,
      name: 'breaking',
      plan: { 1: { files: CHANGES.renameExport } },
      config: { rejectBreaking: true },
    });
    expect(result.iterations[0]).toMatchObject({
      decision: 'rejected',
      compatibility: 'BREAKING',
      rollbackPerformed: true,
    });
    expect(result.lineage.find((v) => v.version === 'v2')?.status).toBe('rejected');
    expect(readTree(workspace)).toEqual(before);
  });

  it('waits for approval of a BREAKING change and accepts it when approved', async () => {
    const { result, workspace } = await runCycle({
      env,
      name: 'approve',
      plan: { 1: { files: CHANGES.renameExport } },
      config: { requireApproval: true },
      during: async (handle) => {
        await expect
          // The iteration measures baseline and candidate in one window first: rounds, not seconds.
          .poll(async () => (await evolutionStatus(env.client, handle.workflowId)).state, {
            timeout: 120_000,
          })
          .toBe('pending_approval');
        const status = await evolutionStatus(env.client, handle.workflowId);
        expect(status.pendingApproval).toMatchObject({ version: 'v2', compatibility: 'BREAKING' });
        expect(status.pendingApproval!.rationale.join('\n')).toMatch(/add|plus/);
        await approveEvolution(env.client, handle.workflowId, {
          by: 'alice',
          note: 'major release',
        });
      },
    });
    expect(result.iterations[0]).toMatchObject({
      decision: 'accepted',
      compatibility: 'BREAKING',
      reason: 'approved by alice',
    });
    expect(result.finalVersion).toBe('v2');
    expect(readTree(workspace)['index.js']).toBe(CHANGES.renameExport['index.js']);
    expect(eventTypes(result)).toEqual(
      expect.arrayContaining(['APPROVAL_REQUESTED', 'APPROVAL_GRANTED']),
    );
  });

  it('pauses for a human when the safety score is inconclusive', async () => {
    const { result } = await runCycle({
      env,
      name: 'inconclusive',
      plan: { 1: { files: CHANGES.losesMetric } },
      during: async (handle) => {
        await expect
          // The iteration measures baseline and candidate in one window first: rounds, not seconds.
          .poll(async () => (await evolutionStatus(env.client, handle.workflowId)).state, {
            timeout: 120_000,
          })
          .toBe('inconclusive');
        const status = await evolutionStatus(env.client, handle.workflowId);
        expect(status.pendingApproval).toMatchObject({ version: 'v2', kind: 'inconclusive' });
        await approveEvolution(env.client, handle.workflowId, { by: 'bob' });
      },
    });
    expect(result.iterations[0]).toMatchObject({ decision: 'accepted', safetyScore: 50 });
    expect(result.iterations[0]!.metrics.pass_rate?.verdict).toBe('no_data');
  });

  it('rejects and rolls back when nobody answers in time', async () => {
    const { result, workspace, before } = await runCycle({
      env,
      name: 'timeout',
      plan: { 1: { files: CHANGES.renameExport } },
      config: { requireApproval: true, approvalTimeoutSec: 2 },
    });
    expect(result.iterations[0]).toMatchObject({ decision: 'rejected', rollbackPerformed: true });
    expect(eventTypes(result)).toContain('APPROVAL_TIMED_OUT');
    expect(readTree(workspace)).toEqual(before);
    expect(BASE_FILES['index.js']).toBe(readTree(workspace)['index.js']);
  });

  it('rejects a candidate that edits its own tests before evaluating it', async () => {
    const { result, workspace, before } = await runCycle({
      env,
      name: 'scope',
      plan: { 1: { files: CHANGES.touchTests } },
    });
    expect(result.iterations[0]).toMatchObject({ decision: 'rejected', version: null });
    expect(result.iterations[0]!.reason).toMatch(/test\/lib\.test\.js \(forbidden\)/);
    expect(eventTypes(result)).not.toContain('EVALUATION_COMPLETED');
    expect(readTree(workspace)).toEqual(before);
  });
});
