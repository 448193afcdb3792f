import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { releaseHealthCheck, startHealthCheck } from '../client/health';
import { heldQuery } from '../workflows/health';
import { createTestEnv, taskQueueFor, type TestEnv } from './helpers';

describe('healthCheck workflow on a real server', () => {
  let env: TestEnv;
  beforeAll(async () => {
    env = await createTestEnv();
  });
  afterAll(async () => env?.teardown());

  it('reports the worker that ran it', async () => {
    const taskQueue = taskQueueFor('health-report');
    const worker = await env.createWorker(taskQueue);
    const result = await worker.runUntil(async () => {
      const handle = await startHealthCheck(env.client, taskQueue);
      return handle.result();
    });
    expect(result.worker.pid).toBe(process.pid);
    expect(result.worker.taskQueue).toBe(taskQueue);
    expect(result.released).toBe(false);
  });

  it('holds until released by a signal', async () => {
    const taskQueue = taskQueueFor('health-release');
    const worker = await env.createWorker(taskQueue);
    const result = await worker.runUntil(async () => {
      const handle = await startHealthCheck(env.client, taskQueue, { holdSeconds: 60 });
      await expect.poll(() => handle.query(heldQuery), { timeout: 10_000 }).toBe(true);
      await releaseHealthCheck(env.client, handle.workflowId, 'test');
      return handle.result();
    });
    expect(result).toMatchObject({ released: true, releasedBy: 'test' });
  });
});
