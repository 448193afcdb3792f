/** Running a real evolution cycle in a test: workspace, mutator, worker, and the world afterwards. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { processesInDir } from '../../activities/infra/commands';
import type { WorkflowHandle } from '@temporalio/client';
import type { WorkerOptions } from '@temporalio/worker';
import { temporal } from '@temporalio/proto';
import type { EvolutionConfigInput } from '../../domain/evolution/config';
import type { CycleResult } from '../../domain/evolution/results';
import { resolveEvolutionConfig, startEvolution } from '../../client/evolution';
import type { evolutionCycle } from '../../workflows/evolution/cycle';
import { iterationWorkflowId } from '../../workflows/evolution/iteration';
import { taskQueueFor, type TestEnv } from '../helpers';
import {
  BASE_FILES,
  baseConfig,
  readTree,
  writeFiles,
  writeMutator,
  type ScriptedChange,
} from './evolutionFixture';

export interface CycleRun {
  result: CycleResult;
  workspace: string;
  dataDir: string;
  before: Record<string, string>;
}

/** readTree lives beside the fixture (no vitest there), so benchmarks can use it too. */
export { readTree };

export interface CycleSetup {
  env: TestEnv;
  name: string;
  /** The mutator's script: a change per iteration (may use the run's paths). */
  plan:
    | Record<number, ScriptedChange>
    | ((paths: {
        workspace: string;
        dataDir: string;
        workflowId: string;
      }) => Record<number, ScriptedChange>);
  /** Options for the test's worker (e.g. an activity interceptor that records results). */
  worker?: Partial<WorkerOptions>;
  config?: Partial<EvolutionConfigInput>;
  /** Runs while the cycle runs (operator actions). */
  during?: (
    handle: WorkflowHandle<typeof evolutionCycle>,
    ctx: { workspace: string; dataDir: string },
  ) => Promise<void>;
}

export async function runCycle(setup: CycleSetup): Promise<CycleRun> {
  const { env } = setup;
  const root = env.tempDir('ratchet-evo-');
  const workspace = path.join(root, setup.name);
  const dataDir = path.join(root, 'data');
  const scripts = path.join(root, 'scripts');
  mkdirSync(workspace);
  mkdirSync(scripts);
  writeFiles(workspace, BASE_FILES);
  const before = readTree(workspace);
  const workflowId = `evolve-test-${setup.name}-${Date.now().toString(36)}`;
  const plan =
    typeof setup.plan === 'function' ? setup.plan({ workspace, dataDir, workflowId }) : setup.plan;
  const mutator = writeMutator(scripts, plan);
  const taskQueue = taskQueueFor(setup.name);
  const worker = await env.createWorker(taskQueue, { dataDir }, setup.worker);
  // The mutator's scripts sit under /tmp, which the sandbox replaces with a private one.
  const config = resolveEvolutionConfig(
    baseConfig(workspace, mutator, {
      ...setup.config,
      expose: [scripts, ...(setup.config?.expose ?? [])],
    }),
  );
  const result = await worker.runUntil(async () => {
    const handle = await startEvolution(env.client, taskQueue, config, workflowId);
    if (setup.during) await setup.during(handle, { workspace, dataDir });
    const result = await handle.result();
    if (process.env.RATCHET_RECORD_HISTORIES) await recordHistories(env, handle.workflowId, result);
    return result;
  });
  return { result, workspace, dataDir, before };
}

/**
 * `RATCHET_RECORD_HISTORIES=1 npx vitest run test/evolution` refreshes the
 * histories the replay test runs through the current workflow code.
 */
export const HISTORIES_DIR = path.join(__dirname, '..', 'fixtures', 'histories');

async function recordHistories(env: TestEnv, workflowId: string, result: CycleResult) {
  mkdirSync(HISTORIES_DIR, { recursive: true });
  const ids = [
    workflowId,
    ...result.iterations.map((it) => iterationWorkflowId(workflowId, it.index)),
  ];
  for (const id of ids) {
    const history = await env.client.workflow.getHandle(id).fetchHistory();
    // The file is named after the workflow id: replay needs the id the history was recorded under.
    const file = path.join(HISTORIES_DIR, `${id}.history.bin`);
    writeFileSync(file, temporal.api.history.v1.History.encode(history).finish());
  }
}

/**
 * A `sleep` runs in the workspace: how a test knows a slow step of the cycle
 * is under way (a sandboxed command cannot leave a marker outside the workspace).
 */
export async function sleepingIn(workspace: string): Promise<boolean> {
  for (const pid of await processesInDir(workspace)) {
    const argv = (await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')).split('\0');
    if (path.basename(argv[0] ?? '') === 'sleep') return true;
  }
  return false;
}

export function eventTypes(result: CycleResult): string[] {
  return result.events.map((e) => e.type);
}
