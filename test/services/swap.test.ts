/**
 * The hot swap on the real dev server with the example's real HTTP service:
 * a healthy release commits and answers; a release that crashes inside the
 * health window is reverted (HEALTH_FAILURE) and the previous one answers
 * again; a worker SIGKILLed during the health window leaves no second copy;
 * `versions rollback` restores, verifies and records the reason.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { WorkflowUpdateStage } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveStatusQuery, swapUpdate } from '../../workflows/services/serve';
import { versionRollback } from '../../workflows/versionRollback';
import { createTestEnv, type TestEnv } from '../helpers';
import { killAndResume } from '../support/killAndResume';
import {
  SIDE_BY_SIDE,
  activate,
  applyServicePatch,
  checkpoint,
  freePort,
  releaseOn,
  serviceProcesses,
  serviceSource,
  serviceWorld,
  serving,
  startServing,
  stopServing,
  versionEntry,
} from './fixture';

let env: TestEnv;
beforeAll(async () => {
  env = await createTestEnv();
});
afterAll(async () => {
  await env?.teardown();
});

const world = (name: string) => serviceWorld(env, name);

describe('hot swap', () => {
  it('a healthy release commits: the new copy answers, the old one is gone, v2 is active', async () => {
    const w = await world('healthy');
    const worker = await env.createWorker(w.taskQueue, { dataDir: w.dataDir });
    await worker.runUntil(async () => {
      const handle = await startServing(env, w);
      const before = await serving(handle);
      expect(await releaseOn(before.port!)).toBe('mathlib-service 1');

      applyServicePatch(w.workspace, '01-release-2-healthy.patch');
      expect((await checkpoint(w.dataDir, w.workspace, w.moduleId)).version).toBe('v2');
      const result = await handle.executeUpdate(swapUpdate, { args: [{ version: 'v2' }] });

      expect(result.outcome).toBe('committed');
      expect(result.events.map((e) => e.type)).toEqual([
        'SWAP_PREPARED',
        'SWAP_STARTED',
        'SWAP_HEALTH_CHECK',
        'SWAP_COMMITTED',
      ]);
      const after = await handle.query(serveStatusQuery);
      expect(after.version).toBe('v2');
      expect(await releaseOn(after.port!)).toBe('mathlib-service 2');
      expect(await releaseOn(before.port!)).toBeNull(); // the old copy is stopped
      expect((await versionEntry(w, 'v2'))?.status).toBe('active');
      expect(await serviceProcesses(w.dataDir, w.moduleId)).toHaveLength(1);

      await stopServing(handle, w);
      expect(await releaseOn(after.port!)).toBeNull();
    });
  });

  it('a swap asked for before the first copy is up waits for it, and leaves no copy behind', async () => {
    const w = await world('early');
    applyServicePatch(w.workspace, '01-release-2-healthy.patch');
    await checkpoint(w.dataDir, w.workspace, w.moduleId); // v2, accepted; v1 stays active
    const worker = await env.createWorker(w.taskQueue, { dataDir: w.dataDir });
    await worker.runUntil(async () => {
      const handle = await startServing(env, w);
      const result = await handle.executeUpdate(swapUpdate, { args: [{ version: 'v2' }] });
      expect(result.outcome).toBe('committed');
      expect(result.events[0]?.data).toMatchObject({ version: 'v2' });
      const procs = await serviceProcesses(w.dataDir, w.moduleId);
      expect(procs).toHaveLength(1);
      expect(procs[0]!.owner).toMatch(/:v2-/);
      await stopServing(handle, w);
    });
  });

  it('a release that crashes inside the health window is reverted: HEALTH_FAILURE, the previous release answers, the workspace is back', async () => {
    const w = await world('crash');
    const v1Source = serviceSource(w.workspace);
    const port = await freePort();
    const fixed = {
      ...SIDE_BY_SIDE,
      healthWindowSec: 4,
      serve: `node service.js ${port}`,
      health: `http://127.0.0.1:${port}/health`,
    };
    const worker = await env.createWorker(w.taskQueue, { dataDir: w.dataDir });
    await worker.runUntil(async () => {
      const handle = await startServing(env, w, fixed);
      await expect.poll(() => releaseOn(port), { timeout: 30_000 }).toBe('mathlib-service 1');

      applyServicePatch(w.workspace, '02-release-2-crashes-after-start.patch');
      await checkpoint(w.dataDir, w.workspace, w.moduleId); // v2, accepted
      const result = await handle.executeUpdate(swapUpdate, { args: [{ version: 'v2' }] });

      expect(result.outcome).toBe('rolled_back');
      expect(result.strategy).toBe('stop-then-start'); // a fixed port: the old copy stopped first
      expect(result.probes.filter((p) => !p.ok).length).toBeGreaterThanOrEqual(1);
      expect(result.events.find((e) => e.type === 'SWAP_HEALTH_CHECK')?.data).toMatchObject({
        verdict: 'revert',
      });
      expect(await releaseOn(port)).toBe('mathlib-service 1');
      const v2 = (await versionEntry(w, 'v2'))!;
      expect(v2.status).toBe('reverted');
      expect(v2.revert).toMatchObject({ reason: 'HEALTH_FAILURE', restoredTo: 'v1' });
      expect((await versionEntry(w, 'v1'))?.status).toBe('active');
      expect(serviceSource(w.workspace)).toBe(v1Source); // the workspace went back too
      const status = await handle.query(serveStatusQuery);
      expect(status.events.map((e) => e.type)).toEqual(
        expect.arrayContaining([
          'SWAP_ROLLED_BACK',
          'ROLLBACK_VERIFICATION_PASSED',
          'VERSION_REVERTED',
        ]),
      );
      expect(await serviceProcesses(w.dataDir, w.moduleId)).toHaveLength(1);
      await stopServing(handle, w);
    });
  });

  it('a copy that keeps dying after its health window is restarted, counted, and past the budget reverted', async () => {
    const w = await world('dying');
    applyServicePatch(w.workspace, '01-release-2-healthy.patch');
    await checkpoint(w.dataDir, w.workspace, w.moduleId);
    await activate(w, 'v2');
    const worker = await env.createWorker(w.taskQueue, { dataDir: w.dataDir });
    await worker.runUntil(async () => {
      const handle = await startServing(env, w);
      const first = await serving(handle);
      expect(first.version).toBe('v2');
      // Kill whatever copy of v2 runs, again and again: the supervisor restarts it each time.
      const killed = new Set<number>();
      await expect
        .poll(
          async () => {
            for (const p of await serviceProcesses(w.dataDir, w.moduleId))
              if (p.owner.includes(':v2-') && !killed.has(p.pid)) {
                killed.add(p.pid);
                process.kill(-p.pid, 'SIGKILL');
              }
            return killed.size;
          },
          { timeout: 60_000, interval: 50 },
        )
        .toBeGreaterThan(5);
      await expect
        .poll(async () => (await versionEntry(w, 'v2'))?.status, { timeout: 60_000, interval: 250 })
        .toBe('reverted');
      const v2 = (await versionEntry(w, 'v2'))!;
      expect(v2.revert).toMatchObject({ reason: 'HEALTH_FAILURE', restoredTo: 'v1' });
      expect(v2.revert?.detail).toMatch(/died 6 times/);
      const back = await serving(handle);
      expect(back.version).toBe('v1');
      expect(await releaseOn(back.port!)).toBe('mathlib-service 1');
      await stopServing(handle, w);
    });
  });

  it('a worker SIGKILLed during the health window: the next worker adopts the copy, never a second one', async () => {
    const w = await world('sigkill');
    const service = { ...SIDE_BY_SIDE, healthWindowSec: 8 };
    let pids: number[] = [];
    await killAndResume({
      taskQueue: w.taskQueue,
      dataDir: w.dataDir,
      start: async () => {
        const handle = await startServing(env, w, service);
        await serving(handle);
        applyServicePatch(w.workspace, '01-release-2-healthy.patch');
        await checkpoint(w.dataDir, w.workspace, w.moduleId);
        const update = await handle.startUpdate(swapUpdate, {
          args: [{ version: 'v2' }],
          waitForStage: WorkflowUpdateStage.ACCEPTED,
        });
        return { handle, update };
      },
      deaths: [
        async (worker) => {
          // Both copies run (side by side): the health window is under way.
          let copies: Awaited<ReturnType<typeof serviceProcesses>> = [];
          await expect
            .poll(async () => (copies = await serviceProcesses(w.dataDir, w.moduleId)).length, {
              timeout: 30_000,
              interval: 100,
            })
            .toBe(2);
          pids = copies.map((c) => c.pid).sort();
          await worker.kill();
          expect((await serviceProcesses(w.dataDir, w.moduleId)).map((c) => c.pid).sort()).toEqual(
            pids,
          );
        },
      ],
      outcome: async ({ handle, update }) => {
        const result = await update.result();
        expect(result.outcome).toBe('committed');
        const left = await serviceProcesses(w.dataDir, w.moduleId);
        expect(left).toHaveLength(1);
        expect(pids).toContain(left[0]!.pid); // adopted: the same process, not a second copy
        const status = await handle.query(serveStatusQuery);
        expect(await releaseOn(status.port!)).toBe('mathlib-service 2');
        await stopServing(handle, w);
      },
    });
  });
});

describe('versions rollback', () => {
  it('restores the previous version, verifies it (checksum and smoke) and records the reason', async () => {
    const w = await world('rollback');
    const v1Source = serviceSource(w.workspace);
    applyServicePatch(w.workspace, '01-release-2-healthy.patch');
    await checkpoint(w.dataDir, w.workspace, w.moduleId);
    await activate(w, 'v2');
    const worker = await env.createWorker(w.taskQueue, { dataDir: w.dataDir });
    const result = await worker.runUntil(
      env.client.workflow.execute(versionRollback, {
        taskQueue: w.taskQueue,
        workflowId: `versions-rollback-${w.moduleId}`,
        args: [
          {
            moduleId: w.moduleId,
            workspace: w.workspace,
            reason: 'MANUAL',
            detail: 'customers see wrong prime counts',
            smokeCommand: 'node -e "require(\'./index\').primesBelow(10)"',
          },
        ],
      }),
    );
    expect(result).toMatchObject({
      ok: true,
      reverted: 'v2',
      restoredTo: 'v1',
      fallback: 'none',
      serviceFollowed: false,
    });
    expect(result.events.map((e) => e.type)).toEqual(
      expect.arrayContaining([
        'ROLLBACK_INITIATED',
        'ROLLBACK_VERIFICATION_PASSED',
        'ROLLBACK_COMPLETED',
        'VERSION_REVERTED',
      ]),
    );
    expect(serviceSource(w.workspace)).toBe(v1Source);
    expect((await versionEntry(w, 'v1'))?.status).toBe('active');
    expect(await versionEntry(w, 'v2')).toMatchObject({
      status: 'reverted',
      revert: { reason: 'MANUAL', detail: 'customers see wrong prime counts', restoredTo: 'v1' },
    });
    expect(readFileSync(path.join(w.workspace, 'index.js'), 'utf8')).toContain('primesBelow');
  });
});
