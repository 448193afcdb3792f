/**
 * Limits from outside the candidate, and the "done when" cycle: a
 * patch queue of a speed-up, a change that makes the benchmark throw, one
 * that makes a test hang forever and one that also edits a test file, with
 * the worker SIGKILLed once while the hanging test runs. Expected: accepted,
 * rolled_back, rolled_back, rejected; the workspace is base + speed-up; no
 * process is left in the workspace.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { processesInDir } from '../../activities/infra/commands';
import { evolutionStatus, resolveEvolutionConfig, startEvolution } from '../../client/evolution';
import { createTestEnv, taskQueueFor, type TestEnv } from '../helpers';
import { BASE_FILES, CHANGES, baseConfig, writeFiles } from '../support/evolutionFixture';
import { writePatches } from '../support/evolutionPatches';
import { readTree, runCycle } from '../support/evolutionRun';
import { killAndResume, killWhen } from '../support/killAndResume';

/** Short enough to keep the test quick, long enough for `node --test` on a loaded machine. */
const COMMAND_TIMEOUT_SEC = 8;

describe('hard limits on candidates', () => {
  let env: TestEnv;
  beforeAll(async () => {
    env = await createTestEnv();
  });
  afterAll(async () => env?.teardown());

  it('runs the done-when cycle through a SIGKILLed worker', async () => {
    const root = env.tempDir('ratchet-done-');
    const workspace = path.join(root, 'donewhen');
    mkdirSync(workspace);
    writeFiles(workspace, BASE_FILES);
    const patchDir = path.join(root, 'patches');
    writePatches(patchDir, [
      { name: 'speed-up', files: CHANGES.faster },
      { name: 'benchmark-throws', files: CHANGES.benchThrows },
      { name: 'test-hangs', files: CHANGES.hangs },
      { name: 'edits-a-test', files: { ...CHANGES.faster, ...CHANGES.touchTests } },
    ]);
    const config = resolveEvolutionConfig(
      baseConfig(workspace, 'unused', {
        candidate: { kind: 'patches', dir: patchDir },
        iterations: 4,
        evaluation: {
          test: 'node --test',
          metrics: 'node measure.js',
          commandTimeoutSec: COMMAND_TIMEOUT_SEC,
        },
      }),
    );
    const taskQueue = taskQueueFor('donewhen');
    const dataDir = path.join(root, 'data');
    await killAndResume({
      taskQueue,
      dataDir,
      start: () =>
        startEvolution(env.client, taskQueue, config, `evolve-donewhen-${Date.now().toString(36)}`),
      deaths: [
        // The hanging test is running: kill the worker under it.
        killWhen(
          async (handle) => {
            const status = await evolutionStatus(env.client, handle.workflowId);
            return (
              status.iteration === 3 &&
              status.step === 'evaluate' &&
              (await processesInDir(workspace)).length > 0
            );
          },
          { timeout: 120_000, interval: 200 },
        ),
      ],
      outcome: async (handle) => {
        const result = await handle.result();
        expect(result.iterations.map((r) => r.decision)).toEqual([
          'accepted',
          'rolled_back',
          'rolled_back',
          'rejected',
        ]);
        expect(result.iterations.map((r) => r.reasonCode)).toEqual([
          null,
          'metrics_crashed',
          'timeout',
          'edit_scope',
        ]);
        expect(readTree(workspace)).toEqual({ ...BASE_FILES, ...CHANGES.faster });
        expect(result.finalVersion).toBe('v2');
      },
    });
    expect(await processesInDir(workspace)).toEqual([]);
  }, 175_000);

  it('kills a mutator that never ends, as a group, and goes on', async () => {
    const { result, workspace } = await runCycle({
      env,
      name: 'mutator-timeout',
      plan: {
        // The mutator starts a child in its own group member list, then sleeps past the limit.
        1: { before: 'sleep 600 & sleep 600', files: CHANGES.slower50 },
        2: { files: CHANGES.faster },
      },
      config: {
        iterations: 2,
        evaluation: {
          test: 'node --test',
          metrics: 'node measure.js',
          commandTimeoutSec: COMMAND_TIMEOUT_SEC,
        },
      },
    });
    expect(result.iterations.map((r) => [r.decision, r.reasonCode])).toEqual([
      ['rejected', 'mutator_timeout'],
      ['accepted', null],
    ]);
    expect(readTree(workspace)).toEqual({ ...BASE_FILES, ...CHANGES.faster });
    expect(await processesInDir(workspace)).toEqual([]);
  }, 120_000);
});
