/**
 * Seed 004's `pending_approvals()` as `ratchet versions pending`: a real
 * cycle waiting for approval is listed (with its module, version, kind and
 * deadline), filtered by module, and gone from the list once approved.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { approveEvolution, evolutionStatus } from '../../client/evolution';
import type { PendingApprovals } from '../../client/pendingApprovals';
import { createTestEnv, type TestEnv } from '../helpers';
import { CHANGES } from '../support/evolutionFixture';
import { runCycle } from '../support/evolutionRun';
import { runCli } from './inProcessCli';

describe('ratchet versions pending', () => {
  let env: TestEnv;
  beforeAll(async () => {
    env = await createTestEnv();
  });
  afterAll(async () => env?.teardown());

  const pending = async (...args: string[]) => {
    const res = await runCli(['versions', 'pending', '--json', ...args], {
      TEMPORAL_ADDRESS: env.address,
    });
    expect(res.code, res.stderr).toBe(0);
    return JSON.parse(res.stdout) as PendingApprovals;
  };
  const ids = (p: PendingApprovals) => p.pending.map((x) => x.workflowId);

  it('lists a candidate waiting for approval across cycles, and drops it once approved', async () => {
    const { result } = await runCycle({
      env,
      name: 'pendinglist',
      plan: { 1: { files: CHANGES.renameExport } },
      config: { requireApproval: true },
      during: async (handle) => {
        await expect
          .poll(async () => (await evolutionStatus(env.client, handle.workflowId)).state, {
            timeout: 30_000,
          })
          .toBe('pending_approval');
        // Visibility catches up with a start within moments: wait for it, not for a time.
        await expect
          .poll(async () => ids(await pending()), { timeout: 20_000 })
          .toContain(handle.workflowId);
        const listed = (await pending()).pending.find((p) => p.workflowId === handle.workflowId);
        expect(listed).toMatchObject({
          moduleId: 'pendinglist',
          version: 'v2',
          kind: 'approval',
          compatibility: 'BREAKING',
          deadline: expect.stringMatching(/^\d{4}-/),
        });
        expect(ids(await pending('--module', 'pendinglist'))).toContain(handle.workflowId);
        expect(ids(await pending('--module', 'some-other-module'))).not.toContain(
          handle.workflowId,
        );
        await approveEvolution(env.client, handle.workflowId, { by: 'alice' });
        await expect
          .poll(async () => ids(await pending()), { timeout: 20_000 })
          .not.toContain(handle.workflowId);
      },
    });
    expect(result.iterations[0]).toMatchObject({ decision: 'accepted' });
    const bad = await runCli(['versions', 'pending', '--module', '../etc'], {
      TEMPORAL_ADDRESS: env.address,
    });
    expect(bad.code).toBe(2);
  });
});
