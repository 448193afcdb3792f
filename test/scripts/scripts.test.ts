/**
 * The client scripts in examples/scripts, each run as a user runs it (its own
 * process, settings from the environment) against the test server and a
 * ratchet worker in this process; checked on what they print, their exit
 * codes, and the real world they change (workspaces, the registry, booked files).
 */
import { execFile } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  evolutionResult,
  evolutionStatus,
  resolveEvolutionConfig,
  startEvolution,
} from '../../client/evolution';
import { deleteAgent } from '../../client/operations';
import { listAgents } from '../../client/registry';
import { createTestEnv, taskQueueFor, type TestEnv } from '../helpers';
import { leftovers } from '../operations/support';
import {
  BASE_FILES,
  baseConfig,
  CHANGES,
  writeFiles,
  writeMutator,
  type ScriptedChange,
} from '../support/evolutionFixture';

const ROOT = path.join(__dirname, '..', '..');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

describe('client scripts', () => {
  let env: TestEnv;
  let worker: Worker;
  let dataDir: string;
  let taskQueue: string;
  let running: Promise<void>;

  /** Runs examples/scripts/NAME.ts the way a user would, asynchronously (the worker runs here). */
  const script = (name: string, args: string[]): Promise<Run> =>
    new Promise((resolve) => {
      execFile(
        process.execPath,
        [
          path.join(ROOT, 'bin', 'run-ts.js'),
          path.join('examples', 'scripts', `${name}.ts`),
          ...args,
        ],
        {
          cwd: ROOT,
          env: {
            ...process.env,
            TEMPORAL_ADDRESS: inject('temporalAddress'),
            RATCHET_TASK_QUEUE: taskQueue,
            RATCHET_DATA_DIR: dataDir,
          },
        },
        (err, stdout, stderr) => resolve({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr }),
      );
    });

  const workspaceWith = (name: string, plan: Record<number, ScriptedChange>) => {
    const root = env.tempDir('ratchet-scripts-');
    const workspace = path.join(root, name);
    mkdirSync(workspace);
    writeFiles(workspace, BASE_FILES);
    return { workspace, mutator: writeMutator(root, plan) };
  };

  beforeAll(async () => {
    env = await createTestEnv();
    dataDir = env.tempDir('ratchet-data-');
    taskQueue = taskQueueFor('scripts');
    worker = await env.createWorker(taskQueue, { dataDir });
    running = worker.run();
  });

  afterAll(async () => {
    worker?.shutdown();
    await running;
    await env?.teardown();
  });

  it('start-cycle starts a cycle and waits for its outcome', async () => {
    const { workspace, mutator } = workspaceWith(`start-${Date.now().toString(36)}`, {
      1: { files: CHANGES.faster },
    });
    const run = await script('start-cycle', [
      '--workspace',
      workspace,
      '--mutator',
      mutator,
      '--expose',
      path.dirname(workspace),
      '--test',
      'node --test',
      '--metrics',
      'node measure.js',
    ]);
    expect(run.stderr).toBe('');
    expect(run.stdout).toMatch(/iteration 1: accepted v2/);
    expect(run.stdout).toMatch(/completed: final version v2/);
    expect(run.code).toBe(0);
    expect(readFileSync(path.join(workspace, 'perf.json'), 'utf8')).toBe(
      CHANGES.faster['perf.json'],
    );

    expect((await script('start-cycle', ['--workspace', workspace])).code).toBe(2);
  });

  it('approve-pending answers every cycle waiting for a human, and only those asked for', async () => {
    const stamp = Date.now().toString(36);
    const handles = [];
    for (const name of [`pend-a-${stamp}`, `pend-b-${stamp}`]) {
      const { workspace, mutator } = workspaceWith(name, { 1: { files: CHANGES.renameExport } });
      const config = resolveEvolutionConfig(
        baseConfig(workspace, mutator, { requireApproval: true }),
      );
      handles.push(await startEvolution(env.client, taskQueue, config));
    }
    for (const handle of handles) {
      await expect
        .poll(async () => (await evolutionStatus(env.client, handle.workflowId)).state, {
          timeout: 60_000,
        })
        .toBe('pending_approval');
    }
    const run = await script('approve-pending', [
      '--by',
      'ci',
      '--module',
      `pend-a-${stamp}`,
      '--module',
      `pend-b-${stamp}`,
    ]);
    expect(run.code).toBe(0);
    for (const handle of handles) {
      expect(run.stdout).toContain(`approved ${handle.workflowId} v2`);
      const result = await evolutionResult(env.client, handle.workflowId);
      expect(result.iterations[0]).toMatchObject({
        decision: 'accepted',
        reason: 'approved by ci',
      });
    }
    expect((await script('approve-pending', ['--reject', '--by', 'ci'])).code).toBe(2);
  });

  it('rollback-to rolls a running cycle back to the named version', async () => {
    const { workspace, mutator } = workspaceWith(`back-${Date.now().toString(36)}`, {
      1: { files: CHANGES.faster },
      2: { sleepMs: 60_000 },
    });
    const handle = await startEvolution(
      env.client,
      taskQueue,
      resolveEvolutionConfig(baseConfig(workspace, mutator, { iterations: 2 })),
    );
    await expect
      .poll(
        async () => {
          const s = await evolutionStatus(env.client, handle.workflowId);
          return `${s.iteration}:${s.step}`;
        },
        { timeout: 60_000, interval: 200 },
      )
      .toBe('2:candidate');
    const refused = await script('rollback-to', [handle.workflowId, 'v9', '--reason', 'nope']);
    expect(refused.code).toBe(2);
    const run = await script('rollback-to', [handle.workflowId, 'v1', '--reason', 'bad direction']);
    expect(run.stdout).toMatch(/final version v1/);
    expect(run.code).toBe(0);
    expect(readFileSync(path.join(workspace, 'perf.json'), 'utf8')).toBe(BASE_FILES['perf.json']);
  });

  it('create-agent prints the compensation ledger when the saga undid itself', async () => {
    const failed = await script('create-agent', [
      '--name',
      'scripted',
      '--fail-at',
      'spawn_process',
    ]);
    expect(failed.code).toBe(1);
    expect(failed.stdout).toMatch(/compensated: step spawn_process failed/);
    expect(failed.stdout).toMatch(/compensation ledger:\n\s+remove_record/);
    expect(failed.stdout).toMatch(/cleanup 100% complete/);
    expect(await listAgents(dataDir)).toEqual([]);

    expect((await script('create-agent', ['--name', 'Not A Name!'])).code).toBe(2);
    expect(await listAgents(dataDir)).toEqual([]);

    const created = await script('create-agent', ['--name', 'scripted']);
    expect(created.code).toBe(0);
    const [agent] = await listAgents(dataDir);
    expect(created.stdout).toContain(`created ${agent!.id}`);
    await deleteAgent(env.client, taskQueue, agent!.id);
    expect(await leftovers(dataDir, agent!.id, null, agent!.pid ?? null)).toEqual([]);
  });

  it('saga-workflow runs your own workflow on the saga engine, booking or undoing', async () => {
    const dir = env.tempDir('ratchet-trip-');
    const soldOut = await script('saga-workflow', ['--dir', dir, '--sold-out', 'car']);
    expect(soldOut.stdout).toMatch(
      /compensated after booking flight, hotel:\n\s+cancel_car succeeded.*\n\s+cancel_hotel succeeded.*\n\s+cancel_flight succeeded/,
    );
    expect(soldOut.code).toBe(1);
    expect(readdirSync(dir)).toEqual([]);
    const booked = await script('saga-workflow', ['--dir', dir]);
    expect(booked.stdout).toMatch(/booked flight, hotel, car/);
    expect(booked.code).toBe(0);
    expect(readdirSync(dir).sort()).toEqual(['car', 'flight', 'hotel']);
  });
});
