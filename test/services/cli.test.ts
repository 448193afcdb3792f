/**
 * `ratchet versions config` (service keys), `serve`, `serve status|stop`,
 * `versions rollback` and `versions stats` as a user runs them, against the
 * dev server: JSON shapes, exit codes, bad input refused before anything.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCheckpointActivities } from '../../activities/checkpoints/activities';
import { createTestEnv, taskQueueFor, type TestEnv } from '../helpers';
import { ratchetCli } from '../support/cli';
import { applyServicePatch, checkpoint, copyExample, releaseOn, serviceProcesses } from './fixture';

let env: TestEnv;
beforeAll(async () => {
  env = await createTestEnv();
});
afterAll(async () => {
  await env?.teardown();
});

describe('ratchet serve / versions rollback / versions stats', () => {
  it('configures, serves, rolls back with a reason the service follows, counts it, stops', async () => {
    const dataDir = env.tempDir('ratchet-serve-cli-data-');
    const workspace = copyExample(env.tempDir('ratchet-serve-cli-'));
    const taskQueue = taskQueueFor('serve-cli');
    const cliEnv = {
      TEMPORAL_ADDRESS: env.address,
      RATCHET_TASK_QUEUE: taskQueue,
      RATCHET_DATA_DIR: dataDir,
    };
    const cli = (...args: string[]) => ratchetCli(args, cliEnv);
    const m = 'svc-cli';
    await checkpoint(dataDir, workspace, m);

    const bad = await cli(
      'versions',
      'config',
      m,
      '--serve',
      'node service.js',
      '--health-failure-threshold',
      '0',
    );
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--health-failure-threshold/);
    const contradicting = await cli(
      'versions',
      'config',
      m,
      '--reject-breaking',
      '--auto-rollback-on-breaking',
    );
    expect(contradicting.code).toBe(2);
    expect(contradicting.stderr).toMatch(/rejectBreaking and autoRollbackOnBreaking/);
    expect((await cli('serve', m, '--workspace', workspace)).stderr).toMatch(/has no service/);

    const configured = await cli(
      'versions',
      'config',
      m,
      '--serve',
      'node service.js',
      '--health',
      'http://127.0.0.1:{port}/health',
      '--health-window-sec',
      '2',
      '--health-interval-sec',
      '0.5',
      '--json',
    );
    expect(configured.code).toBe(0);
    expect(JSON.parse(configured.stdout)).toMatchObject({
      serve: 'node service.js',
      healthWindowSec: 2,
      rejectBreaking: false,
    });

    const worker = await env.createWorker(taskQueue, { dataDir });
    await worker.runUntil(async () => {
      const served = await cli('serve', m, '--workspace', workspace, '--json');
      expect(served.code).toBe(0);
      expect(JSON.parse(served.stdout)).toMatchObject({ workflowId: `serve-${m}`, moduleId: m });
      expect((await cli('serve', m, '--workspace', workspace)).code).toBe(1); // already served

      let status:
        | {
            version: string;
            pid: number | null;
            port: number;
            restarts: number;
            uptimeSec: number | null;
          }
        | undefined;
      await expect
        .poll(
          async () => {
            status = JSON.parse((await cli('serve', 'status', m, '--json')).stdout);
            return status?.pid ?? null;
          },
          { timeout: 60_000, interval: 500 },
        )
        .not.toBeNull();
      expect(status).toMatchObject({ version: 'v1', state: 'serving', restarts: 0 });
      expect(await releaseOn(status!.port)).toBe('mathlib-service 1');

      // v2 made active by hand (as a finished cycle leaves it), then rolled back outside any cycle.
      applyServicePatch(workspace, '01-release-2-healthy.patch');
      await checkpoint(dataDir, workspace, m);
      await createCheckpointActivities({ dataDir }).setVersionStatus({
        moduleId: m,
        version: 'v2',
        status: 'active',
      });
      expect((await cli('versions', 'rollback', m, '--reason', ' ')).code).toBe(2);
      expect((await cli('versions', 'rollback', m, '--to', 'v9', '--reason', 'x')).code).toBe(2);
      const rolled = await cli(
        'versions',
        'rollback',
        m,
        '--reason',
        'HEALTH_FAILURE: 502s since v2',
        '--json',
      );
      expect(rolled.code).toBe(0);
      expect(JSON.parse(rolled.stdout)).toMatchObject({
        ok: true,
        reverted: 'v2',
        restoredTo: 'v1',
        serviceFollowed: true,
      });

      const stats = await cli('versions', 'stats', '--json');
      expect(JSON.parse(stats.stdout)).toMatchObject({
        modules: 1,
        checkpoints: 2,
        pendingApprovals: 0,
        rollbacksByReason: { HEALTH_FAILURE: 1, MANUAL: 0 },
      });

      const stopped = await cli('serve', 'stop', m, '--json');
      expect(stopped.code).toBe(0);
      await expect.poll(() => serviceProcesses(dataDir, m)).toHaveLength(0);
      // A stopped service still shows what it served last, that it is stopped, and no (dead) pid.
      const after = await cli('serve', 'status', m, '--json');
      expect(after.code).toBe(0);
      expect(JSON.parse(after.stdout)).toMatchObject({
        version: 'v1',
        state: 'stopped',
        stoppedAt: expect.any(String),
        pid: null,
        startedAt: null,
        uptimeSec: null,
        workflowStatus: 'COMPLETED',
      });
      const text = (await cli('serve', 'status', m)).stdout;
      expect(text).toMatch(/^version: +v1$/m);
      expect(text).toMatch(/^state: +stopped at .+\(workflow completed\)$/m);
    });
  });
});
