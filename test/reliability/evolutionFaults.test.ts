/**
 * A slice of the evolution fault matrix (the whole of it is `npm run bench --
 * faults`): the worker SIGKILLs itself after the candidate's checkpoint is
 * recorded (a retry must not record a second version), and inside
 * a rollback's restore; a new worker finishes the cycle, which ends exactly as
 * an undisturbed one — same decisions, each version once, the workspace at the
 * accepted or the restored tree, nothing left running.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTestEnv, type TestEnv } from '../helpers';
import { matrixTable } from './faultMatrix';
import { evolutionPoints, runEvolutionPoint, type EvolutionMatrixContext } from './evolutionMatrix';

const SLICE = ["accept after candidate's checkpoint", 'rollback inside restore (after)'];

describe('evolution fault matrix (slice)', () => {
  let env: TestEnv;
  let ctx: EvolutionMatrixContext;
  beforeAll(async () => {
    env = await createTestEnv();
    ctx = {
      client: env.client,
      address: env.address,
      bundlePath: inject('workflowBundlePath'),
      root: env.tempDir('ratchet-evo-faults-'),
    };
  });
  afterAll(async () => env?.teardown());

  it.each(SLICE)(
    '%s: the killed cycle ends as an undisturbed one',
    async (name) => {
      const points = evolutionPoints();
      const point = points.find((p) => `${p.scenario} ${p.point}` === name)!;
      expect(point).toBeDefined();
      const result = await runEvolutionPoint(ctx, point.scenario, point, points.indexOf(point));
      process.stderr.write(`${matrixTable([result])}\n`);
      expect(result.killed).toBe(true);
      expect(result.problems).toEqual([]);
    },
    170_000,
  );
});
