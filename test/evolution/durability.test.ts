/**
 * The worker dies (SIGKILL) in the middle of a candidate, an evaluation and a
 * rollback's verification; a new worker picks the cycle up and it finishes as
 * an undisturbed run would, with nothing left running in the workspace.
 */
import path from 'node:path';
import { existsSync, mkdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveEvolutionConfig, startEvolution } from '../../client/evolution';
import { createTestEnv, taskQueueFor, type TestEnv } from '../helpers';
import {
  BASE_FILES,
  CHANGES,
  baseConfig,
  writeFiles,
  writeMutator,
} from '../support/evolutionFixture';
import { readTree, sleepingIn } from '../support/evolutionRun';
import { processesInDir } from '../../activities/infra/commands';
import { killAndResume, killWhen, type WorkerDeath } from '../support/killAndResume';
import { withFaults } from '../../client/faults';
import type { Fault } from '../../domain/faults';
import type { CycleResult } from '../../domain/evolution/results';

describe('evolution survives a killed worker', () => {
  let env: TestEnv;
  beforeAll(async () => {
    env = await createTestEnv();
  });
  afterAll(async () => env?.teardown());

  async function setup(name: string, plan: Parameters<typeof writeMutator>[1], overrides = {}) {
    const root = env.tempDir('ratchet-dur-');
    const workspace = path.join(root, name);
    mkdirSync(workspace);
    mkdirSync(path.join(root, 'scripts'));
    writeFiles(workspace, BASE_FILES);
    const mutator = writeMutator(path.join(root, 'scripts'), plan);
    // The mutator's scripts sit under /tmp, which the sandbox replaces with a private one.
    const config = resolveEvolutionConfig(
      baseConfig(workspace, mutator, { expose: [path.join(root, 'scripts')], ...overrides }),
    );
    return {
      workspace,
      dataDir: path.join(root, 'data'),
      config,
      before: readTree(workspace),
      taskQueue: taskQueueFor(name),
    };
  }

  type Setup = Awaited<ReturnType<typeof setup>>;

  /** Runs the cycle through the given worker deaths and checks its result on the last worker. */
  function evolveThroughKills(
    s: Setup,
    id: string,
    deaths: WorkerDeath[],
    check: (result: CycleResult) => Promise<void> | void,
    client = env.client,
  ) {
    return killAndResume({
      taskQueue: s.taskQueue,
      dataDir: s.dataDir,
      start: () =>
        startEvolution(client, s.taskQueue, s.config, `${id}-${Date.now().toString(36)}`),
      deaths,
      outcome: async (handle) => check(await handle.result()),
    });
  }

  it('finishes an evaluation after the worker is killed during it', async () => {
    const s = await setup(
      'kill-eval',
      { 1: { files: CHANGES.faster } },
      {
        evaluation: {
          // Only the candidate's evaluation (factor 0.8) leaves a marker and takes its time.
          test: 'if grep -q 0.8 perf.json; then sleep 6; fi; node --test',
          metrics: 'node measure.js',
          commandTimeoutSec: 60,
        },
      },
    );
    // The sleeping command, not the status query, says the evaluation is running: no race with a busy server.
    await evolveThroughKills(
      s,
      'evolve-kill-eval',
      [killWhen(() => sleepingIn(s.workspace))],
      (result) => {
        expect(result.iterations[0]).toMatchObject({ decision: 'accepted', version: 'v2' });
        expect(readTree(s.workspace)['perf.json']).toBe(CHANGES.faster['perf.json']);
      },
    );
  }, 120_000);

  it('re-runs a candidate from its checkpoint after the worker is killed while the mutator runs', async () => {
    // The mutator leaves half of its change, then takes its time: a blind retry
    // would start from a touched tree; ratchet restores the checkpoint and runs it again.
    const s = await setup('kill-mutator', {
      1: {
        before: 'echo half-done >> partial.txt; sleep 6',
        files: CHANGES.faster,
      },
    });
    await evolveThroughKills(
      s,
      'evolve-kill-mut',
      [killWhen(() => sleepingIn(s.workspace))],
      async (result) => {
        expect(result.iterations[0]).toMatchObject({ decision: 'accepted', version: 'v2' });
        expect(readTree(s.workspace)).toEqual({
          ...s.before,
          ...CHANGES.faster,
          'partial.txt': 'half-done\n',
        });
        expect(await processesInDir(s.workspace)).toEqual([]);
      },
    );
  }, 150_000);

  it('ends as an undisturbed run would after kills while checkpointing, judging and restoring', async () => {
    // A fault plan on the run: the worker SIGKILLs itself the first time it reaches each named
    // activity (a marker file makes it once); the test only restarts it.
    const s = await setup(
      'kill-phases',
      {
        1: { files: CHANGES.faster },
        2: { files: CHANGES.bug },
      },
      { iterations: 2 },
    );
    const markers = path.join(s.workspace, '..', 'markers');
    mkdirSync(markers);
    const phases = ['workspaceChecksum', 'assessCompatibility', 'restoreCheckpoint'];
    const faults: Fault[] = phases.map((activity) => ({
      activity,
      mode: 'kill',
      phase: 'before',
      onceFile: path.join(markers, activity),
    }));
    const diesAt = phases.map((phase): WorkerDeath => async (worker) => {
      await worker.exited;
      expect(existsSync(path.join(markers, phase))).toBe(true);
    });
    await evolveThroughKills(
      s,
      'evolve-kill-phases',
      diesAt,
      async (result) => {
        expect(result.iterations.map((r) => [r.decision, r.reasonCode])).toEqual([
          ['accepted', null],
          ['rolled_back', 'tests_failed'],
        ]);
        expect(readTree(s.workspace)).toEqual({ ...s.before, ...CHANGES.faster });
        expect(await processesInDir(s.workspace)).toEqual([]);
      },
      withFaults(env.client, faults),
    );
  }, 175_000);

  it('finishes a rollback after the worker is killed during it', async () => {
    const s = await setup(
      'kill-rollback',
      { 1: { files: CHANGES.bug } },
      { smokeCommand: 'sleep 6; node -e "require(\'./\')"' },
    );
    await evolveThroughKills(
      s,
      'evolve-kill-rb',
      [killWhen(() => sleepingIn(s.workspace))],
      (result) => {
        expect(result.iterations[0]).toMatchObject({
          decision: 'rolled_back',
          rollbackPerformed: true,
        });
        expect(result.events.map((e) => e.type)).toEqual(
          expect.arrayContaining(['ROLLBACK_VERIFICATION_PASSED', 'ROLLBACK_COMPLETED']),
        );
        expect(readTree(s.workspace)).toEqual(s.before);
      },
    );
  }, 120_000);
});
