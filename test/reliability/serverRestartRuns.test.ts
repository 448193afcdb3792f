/**
 * The Temporal server goes down in the middle of a pipeline and of an
 * evolution cycle (the saga's case is serverRestart.test.ts): a dev server on
 * its own SQLite file is stopped while a step (a candidate's evaluation) waits
 * for a file, the file appears while the server is down, and the server is
 * started again on the same file and port. The runs end as undisturbed ones
 * do: the pipeline completed with each step's effect there once, the cycle
 * with the same decision, lineage and workspace tree.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { parsePipeline } from '../../activities/pipelines/load';
import { resolveEvolutionConfig, startEvolution } from '../../client/evolution';
import { startPipeline } from '../../client/pipelines';
import type { CycleResult } from '../../domain/evolution/results';
import type { PipelineStatus } from '../../domain/pipeline';
import { startLocalTemporal, type LocalTemporal } from '../../server/localTemporal';
import { freePort } from '../../server/ports';
import { createTestEnv, type TestEnv } from '../helpers';
import {
  BASE_FILES,
  CHANGES,
  baseConfig,
  writeFiles,
  writeMutator,
} from '../support/evolutionFixture';
import { sleepingIn } from '../support/evolutionRun';
import { startWorker, type WorkerProcess } from '../support/workerProcess';
import { expectedOutcome, outcomeOf, outcomeProblems } from './evolutionMatrix';

/** A server on its own SQLite file, a worker process, and a way to bounce the server. */
async function restartableWorld(root: string) {
  const options = {
    cacheDir: process.env.RATCHET_CACHE_DIR ?? path.join(homedir(), '.cache', 'ratchet'),
    port: await freePort(),
    headless: true,
    dbFilename: path.join(root, 'temporal.sqlite'),
  };
  let server: LocalTemporal = await startLocalTemporal(options);
  const connections: Connection[] = [];
  const client = async () => {
    const c = await Connection.connect({ address: server.address });
    connections.push(c);
    return new Client({ connection: c });
  };
  const taskQueue = 'restart-runs';
  const worker: WorkerProcess = await startWorker({
    address: server.address,
    bundlePath: inject('workflowBundlePath'),
    taskQueue,
    dataDir: path.join(root, 'data'),
  });
  return {
    taskQueue,
    client,
    /** Stops the server, runs `whileDown`, starts it again on the same file and port. */
    async bounce(whileDown: () => void) {
      await server.stop();
      whileDown();
      server = await startLocalTemporal(options);
    },
    async close() {
      await worker.stop();
      for (const c of connections) await c.close().catch(() => undefined);
      await server.stop();
    },
  };
}

describe('server restart mid-run', () => {
  let env: TestEnv;
  beforeAll(async () => {
    env = await createTestEnv(); // only for temp dirs: these tests run their own server
  });
  afterAll(async () => env?.teardown());

  it('a pipeline completes as an undisturbed one after its server restarts mid-step', async () => {
    const root = env.tempDir('ratchet-restart-pipe-');
    const workspace = path.join(root, 'app');
    const counters = path.join(root, 'counters');
    mkdirSync(workspace);
    mkdirSync(counters);
    writeFileSync(path.join(workspace, 'app.txt'), 'app\n');
    const go = path.join(root, 'go');
    const count = (step: string) => `echo x >> ${counters}/${step}`;
    const world = await restartableWorld(root);
    try {
      const handle = await startPipeline(await world.client(), world.taskQueue, {
        pipeline: parsePipeline(`name: restart
steps:
  - { name: build, run: "${count('build')}" }
  - { name: wait, run: "${count('wait')}; until [ -e ${go} ]; do sleep 0.1; done" }
  - { name: ship, run: "${count('ship')}" }
`),
        workspace,
        lane: 'standard',
      });
      await expect
        .poll(() => existsSync(path.join(counters, 'wait')), { timeout: 60_000 })
        .toBe(true);
      await world.bounce(() => writeFileSync(go, ''));
      const client = await world.client();
      const result: PipelineStatus = await client.workflow.getHandle(handle.workflowId).result();
      expect(result.status).toBe('completed');
      expect(result.failures).toEqual([]);
      const runs = (step: string) =>
        readFileSync(path.join(counters, step), 'utf8').split('\n').filter(Boolean).length;
      // Steps before and after the outage ran once; the one in flight at most again.
      expect([runs('build'), runs('ship')]).toEqual([1, 1]);
      expect(runs('wait')).toBeGreaterThanOrEqual(1);
    } finally {
      await world.close();
    }
  }, 170_000);

  it('an evolution cycle ends as an undisturbed one after its server restarts mid-evaluation', async () => {
    const root = env.tempDir('ratchet-restart-evo-');
    const workspace = path.join(root, 'lib');
    const scripts = path.join(root, 'scripts');
    mkdirSync(workspace);
    mkdirSync(scripts);
    writeFiles(workspace, BASE_FILES);
    const go = path.join(scripts, 'go');
    // Only the candidate's evaluation (factor 0.8) waits, visibly (a `sleep` in the workspace).
    const config = resolveEvolutionConfig(
      baseConfig(workspace, writeMutator(scripts, { 1: { files: CHANGES.faster } }), {
        expose: [scripts],
        iterations: 1,
        evaluation: {
          test: `if grep -q 0.8 perf.json; then until [ -e ${go} ]; do sleep 0.2; done; fi; node --test`,
          metrics: 'node measure.js',
          commandTimeoutSec: 120,
        },
      }),
    );
    const world = await restartableWorld(root);
    try {
      const handle = await startEvolution(
        await world.client(),
        world.taskQueue,
        config,
        `evolve-restart-${Date.now().toString(36)}`,
      );
      await expect.poll(() => sleepingIn(workspace), { timeout: 90_000, interval: 100 }).toBe(true);
      await world.bounce(() => writeFileSync(go, ''));
      const client = await world.client();
      const result: CycleResult = await client.workflow.getHandle(handle.workflowId).result();
      expect(outcomeProblems(outcomeOf(result, workspace), expectedOutcome('accept'))).toEqual([]);
    } finally {
      await world.close();
    }
  }, 170_000);
});
