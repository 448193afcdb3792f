/**
 * The pipeline tests' shared fixture: a test env and worker queue per file, a
 * workspace per case with a counters directory outside it (steps append a line
 * per run, so a test can prove a step was not rerun), and a run on a real worker.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect } from 'vitest';
import { parsePipeline } from '../../activities/pipelines/load';
import { pipelineStatus, sendPipelineAction, startPipeline } from '../../client/pipelines';
import type { Lane } from '../../domain/pipeline';
import { createTestEnv, taskQueueFor, type TestEnv } from '../helpers';

export interface PipelineRunOptions {
  lane?: Lane;
  fromStep?: string;
  fromCheckpoint?: string;
  /** Runs while the pipeline runs (operator actions), given its workflow id. */
  during?: (id: string) => Promise<void>;
}

/**
 * Registers the file's env hooks (call inside `describe`). `queue` names the
 * worker's task queue, `prefix` the temp dirs.
 */
export function pipelineSuite(queue: string, prefix: string) {
  let env: TestEnv;
  let dataDir: string;
  let taskQueue: string;
  beforeAll(async () => {
    env = await createTestEnv();
    dataDir = path.join(env.tempDir(`${prefix}-data-`), 'data');
    taskQueue = taskQueueFor(queue);
  });
  afterAll(async () => env?.teardown());

  /** A workspace, and a directory outside it where steps count their runs. */
  function setup(name: string) {
    const root = env.tempDir(`${prefix}-`);
    const workspace = path.join(root, name);
    const counters = path.join(root, 'counters');
    mkdirSync(workspace);
    mkdirSync(counters);
    writeFileSync(path.join(workspace, 'app.txt'), 'app\n');
    const count = (step: string) => `echo x >> ${counters}/${step}`;
    /** True from the step's nth run on. */
    const fromRun = (step: string, n: number) => `[ $(wc -l < ${counters}/${step}) -ge ${n} ]`;
    const runs = (step: string) =>
      existsSync(path.join(counters, step))
        ? readFileSync(path.join(counters, step), 'utf8').split('\n').filter(Boolean).length
        : 0;
    return { root, workspace, counters, count, fromRun, runs };
  }

  async function run(yaml: string, workspace: string, options: PipelineRunOptions = {}) {
    const worker = await env.createWorker(taskQueue, { dataDir });
    return worker.runUntil(async () => {
      const handle = await startPipeline(env.client, taskQueue, {
        pipeline: parsePipeline(yaml),
        workspace,
        lane: options.lane ?? 'standard',
        ...(options.fromStep ? { fromStep: options.fromStep } : {}),
        ...(options.fromCheckpoint ? { fromCheckpoint: options.fromCheckpoint } : {}),
      });
      if (options.during) await options.during(handle.workflowId);
      return handle.result();
    });
  }

  /** Waits (polling the status query) until the run is parked for an operator. */
  async function parked(id: string) {
    await expect
      .poll(async () => (await pipelineStatus(env.client, id)).status, { timeout: 20_000 })
      .toBe('waiting_for_operator');
  }

  const act = (id: string, action: Parameters<typeof sendPipelineAction>[2]) =>
    sendPipelineAction(env.client, id, action);

  return { setup, run, parked, act };
}
