/**
 * The module settings in a real cycle: each cell of the approval ×
 * auto-rollback matrix on a BREAKING candidate, contradicting settings
 * refused, and a module with a service hot-swapped after acceptance — a
 * release whose service dies in the health window reverted (HEALTH_FAILURE).
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evolutionStatus, rejectEvolution, resumeEvolution } from '../../client/evolution';
import type { CycleStatus } from '../../domain/evolution/results';
import { createTestEnv, type TestEnv } from '../helpers';
import { CHANGES } from '../support/evolutionFixture';
import { eventTypes, readTree, runCycle } from '../support/evolutionRun';
import { serviceProcesses } from '../services/fixture';

/** The module's own settings (`ratchet versions config`), written before the cycle starts. */
function moduleSettings(settings: Record<string, unknown>) {
  return (paths: { workspace: string; dataDir: string }) => {
    const dir = path.join(paths.dataDir, 'checkpoints', 'modules');
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      path.join(dir, `${path.basename(paths.workspace)}.config.json`),
      JSON.stringify(settings),
    );
    return { 1: { files: CHANGES.renameExport } };
  };
}

describe('module settings in the cycle', () => {
  let env: TestEnv;
  beforeAll(async () => {
    env = await createTestEnv();
  });
  afterAll(async () => env?.teardown());

  it('both off: a BREAKING change is accepted, with a warning event', async () => {
    const { result } = await runCycle({ env, name: 'matrix-off', plan: moduleSettings({}) });
    expect(result.iterations[0]).toMatchObject({ decision: 'accepted', compatibility: 'BREAKING' });
    expect(result.iterations[0]!.warnings.join('\n')).toMatch(/BREAKING change accepted/);
    expect(eventTypes(result)).toContain('COMPATIBILITY_WARNING');
  });

  it('approval only (module setting): waits; rejected → rejected', async () => {
    const { result, workspace, before } = await runCycle({
      env,
      name: 'matrix-approval',
      plan: moduleSettings({ requireApproval: true }),
      during: async (handle) => {
        await expect
          .poll(async () => (await evolutionStatus(env.client, handle.workflowId)).state, {
            timeout: 60_000,
          })
          .toBe('pending_approval');
        await rejectEvolution(env.client, handle.workflowId, { by: 'bob', reason: 'not now' });
      },
    });
    expect(result.iterations[0]).toMatchObject({ decision: 'rejected', compatibility: 'BREAKING' });
    expect(result.lineage.find((v) => v.version === 'v2')?.status).toBe('rejected');
    expect(readTree(workspace)).toEqual(before);
  });

  it('auto-rollback only: reverted with reason BREAKING, the workspace restored', async () => {
    const { result, workspace, before } = await runCycle({
      env,
      name: 'matrix-auto',
      plan: moduleSettings({ autoRollbackOnBreaking: true }),
    });
    expect(result.iterations[0]).toMatchObject({
      decision: 'rolled_back',
      compatibility: 'BREAKING',
    });
    expect(result.lineage.find((v) => v.version === 'v2')).toMatchObject({
      status: 'reverted',
      revert: { reason: 'BREAKING', restoredTo: 'v1' },
    });
    expect(readTree(workspace)).toEqual(before);
    expect(eventTypes(result)).toContain('VERSION_REVERTED');
  });

  it('both: waits; an approval that times out reverts it (BREAKING)', async () => {
    const { result, workspace, before } = await runCycle({
      env,
      name: 'matrix-both',
      plan: moduleSettings({ requireApproval: true, autoRollbackOnBreaking: true }),
      config: { approvalTimeoutSec: 2 },
    });
    expect(eventTypes(result)).toEqual(
      expect.arrayContaining(['APPROVAL_REQUESTED', 'APPROVAL_TIMED_OUT', 'VERSION_REVERTED']),
    );
    expect(result.lineage.find((v) => v.version === 'v2')).toMatchObject({
      status: 'reverted',
      revert: { reason: 'BREAKING' },
    });
    expect(readTree(workspace)).toEqual(before);
  });

  it('contradicting settings refuse the cycle before anything runs, naming them', async () => {
    const run = runCycle({
      env,
      name: 'matrix-contradiction',
      plan: moduleSettings({ rejectBreaking: true, autoRollbackOnBreaking: true }),
    });
    await expect(run).rejects.toThrow();
    await run.catch((err: unknown) => {
      const cause = (err as { cause?: { type?: string; message?: string } }).cause;
      expect(cause?.type).toBe('UnhonourableSettings');
      expect(cause?.message).toMatch(/rejectBreaking and autoRollbackOnBreaking/);
    });
  });

  it('a module with a service: the accepted release is hot-swapped; one that dies in the health window is reverted (HEALTH_FAILURE)', async () => {
    // The service reads perf.json: a release with "crash": true exits a moment after it starts.
    const serve = `node -e "const c=require('./perf.json').crash; const s=require('http').createServer((q,r)=>r.end('ok')).listen(process.env.PORT); if (c) setTimeout(()=>process.exit(1),300)"`;
    const { result, dataDir } = await runCycle({
      env,
      name: 'live-service',
      plan: {
        1: { files: CHANGES.faster },
        2: { files: { 'perf.json': '{ "factor": 0.8, "crash": true }\n' } },
      },
      config: {
        iterations: 2,
        serve,
        health: 'http://127.0.0.1:{port}/',
        healthWindowSec: 3,
        healthIntervalSec: 0.5,
        healthFailureThreshold: 2,
      },
    });
    const [it1, it2] = result.iterations;
    expect(it1).toMatchObject({ decision: 'accepted', version: 'v2' });
    expect(it2).toMatchObject({ decision: 'rolled_back', version: 'v3' });
    expect(eventTypes(result)).toEqual(
      expect.arrayContaining([
        'SWAP_STARTED',
        'SWAP_HEALTH_CHECK',
        'SWAP_COMMITTED',
        'SWAP_ROLLED_BACK',
        'VERSION_REVERTED',
      ]),
    );
    expect(result.lineage.find((v) => v.version === 'v3')).toMatchObject({
      status: 'reverted',
      revert: { reason: 'HEALTH_FAILURE', restoredTo: 'v2' },
    });
    expect(result.finalVersion).toBe('v2');
    // The cycle's copy is stopped when it ends.
    await expect.poll(() => serviceProcesses(dataDir, 'live-service')).toHaveLength(0);
  });

  it('a release whose revert fails too parks the cycle for an operator, who resumes it', async () => {
    // The adversary: the crashing release also breaks every rollback's smoke
    // check (a marker outside the workspace), so the HEALTH_FAILURE revert fails.
    const marker = path.join(env.tempDir('ratchet-revert-fails-'), 'broken');
    const serve = `node -e "const c=require('./perf.json').crash; require('http').createServer((q,r)=>r.end('ok')).listen(process.env.PORT); if (c) { require('fs').writeFileSync(process.env.MARK,''); setTimeout(()=>process.exit(1),300) }"`;
    let parked: CycleStatus | undefined;
    const { result } = await runCycle({
      env,
      name: 'live-revert-fails',
      plan: {
        1: { files: CHANGES.faster },
        2: { files: { 'perf.json': '{ "factor": 0.8, "crash": true }\n' } },
      },
      config: {
        iterations: 2,
        serve: `MARK='${marker}' ${serve}`,
        health: 'http://127.0.0.1:{port}/',
        healthWindowSec: 3,
        healthIntervalSec: 0.5,
        healthFailureThreshold: 2,
        smokeCommand: `test ! -e '${marker}'`,
        expose: [path.dirname(marker)],
      },
      during: async (handle) => {
        await expect
          .poll(async () => (parked = await evolutionStatus(env.client, handle.workflowId)).state, {
            timeout: 120_000,
          })
          .toBe('needs_attention');
        // The rollback's verification quarantined the versions it could not
        // verify; the operator clears the fault and says the workspace is fixed.
        rmSync(marker, { force: true });
        await resumeEvolution(env.client, handle.workflowId, { by: 'operator' });
      },
    });
    expect(parked?.stopReason).toMatch(
      /v3 failed its health check \(HEALTH_FAILURE\) and could not be reverted/,
    );
    expect(result.iterations[1]).toMatchObject({ decision: 'rolled_back', version: 'v3' });
    expect(eventTypes(result)).toEqual(
      expect.arrayContaining([
        'SWAP_ROLLED_BACK',
        'ROLLBACK_VERIFICATION_FAILED',
        'NEEDS_ATTENTION',
        'OPERATOR_ACTION',
      ]),
    );
    // The repaired workspace became a new active version, and the cycle ended on it.
    expect(result.finalVersion).toBe('v4');
    expect(result.lineage.find((v) => v.version === 'v4')).toMatchObject({ status: 'active' });
  });
});
