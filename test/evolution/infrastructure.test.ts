/**
 * When ratchet's own infrastructure fails (here: the checkpoint store's
 * lineage file turns to garbage in the middle of an evaluation), the
 * iteration does not fail the cycle: it parks in needs_attention with the
 * error, and goes on once an operator repairs the store and rolls back.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evolutionStatus, rollbackEvolution } from '../../client/evolution';
import { createTestEnv, type TestEnv } from '../helpers';
import { CHANGES } from '../support/evolutionFixture';
import { readTree, runCycle, sleepingIn } from '../support/evolutionRun';

describe('infrastructure failures', () => {
  let env: TestEnv;
  beforeAll(async () => {
    env = await createTestEnv();
  });
  afterAll(async () => env?.teardown());

  it('parks in needs_attention with the error, and goes on after an operator repairs the store', async () => {
    const { result, workspace, before } = await runCycle({
      env,
      name: 'infra',
      plan: { 1: { files: CHANGES.faster } },
      config: {
        evaluation: {
          // Only the candidate's evaluation (factor 0.8) leaves a marker and takes its time.
          test: 'if grep -q 0.8 perf.json; then sleep 3; fi; node --test',
          metrics: 'node measure.js',
          commandTimeoutSec: 60,
        },
      },
      during: async (handle, { workspace, dataDir }) => {
        await expect
          .poll(() => sleepingIn(workspace), {
            timeout: 60_000,
            interval: 100,
          })
          .toBe(true);
        const lineageFile = path.join(dataDir, 'checkpoints', 'modules', 'infra.json');
        const saved = readFileSync(lineageFile);
        writeFileSync(lineageFile, '{ this is not json');
        await expect
          .poll(async () => await evolutionStatus(env.client, handle.workflowId), {
            timeout: 150_000,
            interval: 500,
          })
          .toMatchObject({
            state: 'needs_attention',
            stopReason: expect.stringMatching(/^infrastructure failure: /),
          });
        writeFileSync(lineageFile, saved);
        await rollbackEvolution(env.client, handle.workflowId, {
          toVersion: 'v1',
          reason: 'store repaired',
          by: 'ops',
        });
      },
    });
    expect(result.state).toBe('completed');
    expect(result.iterations[0]).toMatchObject({
      decision: 'rolled_back',
      reason: expect.stringMatching(/^infrastructure failure: /),
    });
    expect(result.events.map((e) => e.type)).toContain('NEEDS_ATTENTION');
    expect(readTree(workspace)).toEqual(before);
  }, 175_000);
});
