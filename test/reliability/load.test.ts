/**
 * 30 agent creations at once against one worker, a third failing at random
 * steps (the full 200 is `npm run bench -- load`): the registry and quota
 * hold under proper file locking, nothing leaks, nothing crosses over.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestEnv, taskQueueFor, type TestEnv } from '../helpers';
import { loadSummary, runLoad } from './load';

describe('load', () => {
  let env: TestEnv;
  beforeAll(async () => {
    env = await createTestEnv();
  });
  afterAll(async () => env?.teardown());

  it('30 concurrent creations, a third failing: no leak, no lost or duplicated entry, no cross-talk', async () => {
    const dataDir = path.join(env.tempDir('ratchet-load-'), 'data');
    const taskQueue = taskQueueFor('load');
    const worker = await env.createWorker(taskQueue, { dataDir });
    const report = await worker.runUntil(
      runLoad({ client: env.client, taskQueue, dataDir, count: 30, seed: 7 }),
    );
    process.stderr.write(`${loadSummary(report)}\n`);
    expect(report.problems).toEqual([]);
    expect(report.completed + report.compensated).toBe(30);
    expect(report.compensated).toBeGreaterThan(0);
  }, 170_000);
});
