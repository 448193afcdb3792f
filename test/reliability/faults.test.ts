/**
 * A slice of the fault matrix (the whole of it is `npm run bench -- faults`):
 * the worker is SIGKILLed after a step's effect, before a step, and inside a
 * compensation; a new worker finishes the run, and the world holds exactly
 * what the outcome says — each resource once, or nothing.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { makeRepo } from '../operations/support';
import { createTestEnv, type TestEnv } from '../helpers';
import { matrixPoints, matrixTable, runPoint, type MatrixContext } from './faultMatrix';

const SLICE = [
  'agent.create after spawn_process',
  'agent.create inside remove_worktree',
  'session.create before start_watcher',
];

describe('fault matrix (slice)', () => {
  let env: TestEnv;
  let ctx: MatrixContext;
  beforeAll(async () => {
    env = await createTestEnv();
    const root = env.tempDir('ratchet-faults-');
    ctx = {
      client: env.client,
      address: env.address,
      bundlePath: inject('workflowBundlePath'),
      dataDir: path.join(root, 'data'),
      repo: makeRepo(root),
      stepTimeoutMs: 3_000,
    };
  });
  afterAll(async () => env?.teardown());

  it('ends every killed run completed or compensated, with the world to match', async () => {
    const points = matrixPoints();
    const chosen = points.filter((p) => SLICE.includes(`${p.operation} ${p.point}`));
    expect(chosen).toHaveLength(SLICE.length);
    const results = [];
    for (const p of chosen) results.push(await runPoint(ctx, p, points.indexOf(p)));
    process.stderr.write(`${matrixTable(results)}\n`);
    for (const r of results) {
      expect(r.killed, r.point).toBe(true);
      expect(r.problems, r.point).toEqual([]);
    }
  }, 170_000);
});
