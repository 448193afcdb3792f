/**
 * `ratchet gc` and service copies: a copy whose workflow is gone — its
 * worker SIGKILLed, its serve and copy workflows terminated, its process
 * still running detached — is an orphan: dry run reports it and touches
 * nothing, gc stops the process and removes its files. A copy whose
 * workflow runs (another module, same data dir) is kept, process and files.
 */
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { isAlive } from '../../activities/infra/processes';
import { serveWorkflowId, startServe, stopServe } from '../../client/services';
import type { JanitorReport } from '../../domain/janitor';
import { copyWorkflowId } from '../../domain/services/copies';
import { createTestEnv, taskQueueFor, type TestEnv } from '../helpers';
import { ratchetCli } from '../support/cli';
import { startWorkerProcess } from '../support/workerProcess';
import { copyExample, serviceProcesses } from './fixture';

let env: TestEnv;
beforeAll(async () => {
  env = await createTestEnv();
});
afterAll(async () => {
  await env?.teardown();
});

const SERVICE = { serve: 'node service.js', health: 'http://127.0.0.1:{port}/health' };

describe('ratchet gc: service copies', () => {
  it('stops and removes an orphaned copy, keeps the one whose workflow runs', async () => {
    const dataDir = env.tempDir('ratchet-gc-services-data-');
    const root = env.tempDir('ratchet-gc-services-');
    const taskQueue = taskQueueFor('gc-services');
    const orphaned = 'svc-orphan';
    const live = 'svc-live';
    const workspace = (m: string) => {
      mkdirSync(path.join(root, m));
      return copyExample(path.join(root, m));
    };
    const killAll = (pids: number[]) =>
      onTestFinished(() => {
        for (const pid of pids) {
          try {
            process.kill(-pid, 'SIGKILL');
          } catch {
            // gone, as it should be
          }
        }
      });

    // The orphan: served by a worker that is then SIGKILLed; its workflows terminated.
    const doomed = await startWorkerProcess(taskQueue, dataDir);
    try {
      await startServe(env.client, taskQueue, {
        moduleId: orphaned,
        workspace: workspace(orphaned),
        service: SERVICE,
      });
      await expect
        .poll(() => serviceProcesses(dataDir, orphaned), { timeout: 60_000, interval: 250 })
        .toHaveLength(1);
    } finally {
      await doomed.kill();
    }
    const [orphan] = await serviceProcesses(dataDir, orphaned);
    killAll([orphan!.pid]);
    const slot = orphan!.owner.split(':')[2]!;
    await env.client.workflow.getHandle(serveWorkflowId(orphaned)).terminate('test: orphan it');
    await env.client.workflow
      .getHandle(copyWorkflowId(orphaned, slot))
      .terminate('test: orphan it');
    expect(await isAlive(orphan!.pid)).toBe(true); // detached: it outlived its worker
    const orphanDir = path.join(dataDir, 'services', orphaned);
    expect(readdirSync(orphanDir)).toEqual(expect.arrayContaining([`${slot}.json`, `${slot}.log`]));

    const cliEnv = {
      TEMPORAL_ADDRESS: env.address,
      RATCHET_TASK_QUEUE: taskQueue,
      RATCHET_DATA_DIR: dataDir,
    };
    const gc = async (...args: string[]) => {
      const res = await ratchetCli(['gc', '--min-age', '0', '--json', ...args], cliEnv);
      expect(res.code, res.stderr).toBe(0);
      return JSON.parse(res.stdout) as JanitorReport;
    };
    const worker = await env.createWorker(taskQueue, { dataDir });
    await worker.runUntil(async () => {
      await startServe(env.client, taskQueue, {
        moduleId: live,
        workspace: workspace(live),
        service: SERVICE,
      });
      await expect
        .poll(() => serviceProcesses(dataDir, live), { timeout: 60_000, interval: 250 })
        .toHaveLength(1);
      const [kept] = await serviceProcesses(dataDir, live);
      killAll([kept!.pid]);
      const keptSlot = kept!.owner.split(':')[2]!;
      const keptRecord = path.join(dataDir, 'services', live, `${keptSlot}.json`);
      await expect.poll(() => existsSync(keptRecord)).toBe(true);

      // Released versions: the orphaned module's goes with it, the served module's stays.
      const orphanRelease = path.join(orphanDir, 'releases', 'v1');
      const keptRelease = path.join(dataDir, 'services', live, 'releases', 'v1');
      for (const d of [orphanRelease, keptRelease]) mkdirSync(d, { recursive: true });

      const dry = await gc('--dry-run');
      const services = dry.orphans.filter((o) => o.kind === 'service');
      expect(services.map((o) => o.id)).toEqual([`${orphaned}/${slot}`, `${orphaned}/releases/v1`]);
      expect(services[0]).toMatchObject({
        ownerWorkflowId: copyWorkflowId(orphaned, slot),
        resources: expect.arrayContaining([`process ${orphan!.pid} (service:${orphaned}:${slot})`]),
      });
      expect(await isAlive(orphan!.pid)).toBe(true); // a dry run touches nothing
      expect(existsSync(orphanDir)).toBe(true);

      const report = await gc();
      const mine = report.cleaned.filter((c) => c.resourceId === `${orphaned}/${slot}`);
      expect(mine.map((c) => [c.actionType, c.status])).toEqual([
        ['stop_process', 'succeeded'],
        ['remove_service_copy_files', 'succeeded'],
      ]);
      expect(await isAlive(orphan!.pid)).toBe(false);
      expect(await serviceProcesses(dataDir, orphaned)).toEqual([]);
      expect(existsSync(orphanDir)).toBe(false);
      // Nothing of the live copy was touched: same process, its record still there.
      expect((await serviceProcesses(dataDir, live)).map((p) => p.pid)).toEqual([kept!.pid]);
      expect(existsSync(keptRecord)).toBe(true);
      expect(existsSync(keptRelease)).toBe(true);
      expect(report.cleaned.some((c) => c.resourceId.startsWith(`${live}/`))).toBe(false);

      await stopServe(env.client, live);
      await expect.poll(() => serviceProcesses(dataDir, live)).toHaveLength(0);
    });
  });
});
