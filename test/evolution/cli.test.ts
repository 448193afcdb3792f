/** `ratchet evolve …` as scripts call it: JSON shapes and exit codes, against the run's real server. */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestEnv, taskQueueFor, type TestEnv } from '../helpers';
import { ratchetCli } from '../support/cli';
import { BASE_FILES, CHANGES, writeFiles, writeMutator } from '../support/evolutionFixture';

const ratchet = ratchetCli;

describe('ratchet evolve CLI', () => {
  let env: TestEnv;
  beforeAll(async () => {
    env = await createTestEnv();
  });
  afterAll(async () => env?.teardown());

  it('start --wait --json prints the whole outcome; status --json and list --json read it back', async () => {
    const root = env.tempDir('ratchet-cli-evo-');
    const workspace = path.join(root, 'clilib');
    mkdirSync(workspace);
    writeFiles(workspace, BASE_FILES);
    const mutator = writeMutator(root, { 1: { files: CHANGES.faster }, 2: { files: CHANGES.bug } });
    const taskQueue = taskQueueFor('evolve-cli');
    const dataDir = path.join(root, 'data');
    const worker = await env.createWorker(taskQueue, { dataDir });
    const cliEnv = {
      TEMPORAL_ADDRESS: env.address,
      RATCHET_TASK_QUEUE: taskQueue,
      RATCHET_DATA_DIR: dataDir,
    };
    await worker.runUntil(async () => {
      const res = await ratchet(
        [
          'evolve',
          'start',
          '--workspace',
          workspace,
          '--mutator',
          mutator,
          // The mutator's script lives beside the workspace, under the /tmp the sandbox replaces.
          '--expose',
          path.join(root, 'mutator.js'),
          '--expose',
          path.join(root, 'plan.json'),
          '--test',
          'node --test',
          '--metrics',
          'node measure.js',
          '--iterations',
          '2',
          '--wait',
          '--json',
        ],
        cliEnv,
      );
      expect(res.code, res.stderr).toBe(0);
      const out = JSON.parse(res.stdout) as Record<string, unknown> & {
        iterations: Array<Record<string, unknown>>;
      };
      expect(out).toMatchObject({ moduleId: 'clilib', finalVersion: 'v2' });
      expect(out.workflowId).toMatch(/^evolve-clilib-/);
      expect(out.iterations.map((i) => [i.index, i.decision, i.rollbackPerformed])).toEqual([
        [1, 'accepted', false],
        [2, 'rolled_back', true],
      ]);
      for (const it of out.iterations) {
        expect(Object.keys(it)).toEqual(
          expect.arrayContaining([
            'index',
            'candidate',
            'version',
            'decision',
            'rollbackPerformed',
            'safetyScore',
            'compatibility',
            'metrics',
          ]),
        );
      }
      expect(Array.isArray(out.events)).toBe(true);

      const status = await ratchet(['evolve', 'status', String(out.workflowId), '--json'], cliEnv);
      expect(status.code).toBe(0);
      expect(JSON.parse(status.stdout)).toMatchObject({
        workflowId: out.workflowId,
        state: 'completed',
        iteration: 2,
        activeVersion: 'v2',
        pendingApproval: null,
      });
      const approve = await ratchet(
        ['evolve', 'approve', String(out.workflowId), '--by', 'me'],
        cliEnv,
      );
      expect(approve.code).toBe(2);
      expect(approve.stderr).toMatch(/refused: the cycle is not running/);
      const approveJson = await ratchet(
        ['evolve', 'approve', String(out.workflowId), '--by', 'me', '--json'],
        cliEnv,
      );
      expect(approveJson.code).toBe(2); // --json changes the output, not the refusal
      expect(approveJson.stdout).toBe('');

      // events pages through the durable log: all of it, then a page of it.
      const events = await ratchet(['evolve', 'events', String(out.workflowId), '--json'], cliEnv);
      expect(events.code, events.stderr).toBe(0);
      const seqs = (JSON.parse(events.stdout) as Array<{ seq: number }>).map((e) => e.seq);
      expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1));
      const page = await ratchet(
        ['evolve', 'events', String(out.workflowId), '--since', '3', '--limit', '2', '--json'],
        cliEnv,
      );
      expect((JSON.parse(page.stdout) as Array<{ seq: number }>).map((e) => e.seq)).toEqual([4, 5]);
    });
  }, 150_000);

  it('refuses bad input with exit 2 and names the problem, starting nothing', async () => {
    const cliEnv = {
      TEMPORAL_ADDRESS: env.address,
      RATCHET_TASK_QUEUE: taskQueueFor('evolve-cli-bad'),
    };
    const noTest = await ratchet(
      ['evolve', 'start', '--workspace', '/tmp', '--mutator', 'true'],
      cliEnv,
    );
    expect(noTest.code).toBe(2);
    expect(noTest.stderr).toMatch(/evaluation\.test/);
    const both = await ratchet(
      [
        'evolve',
        'start',
        '--workspace',
        '/tmp',
        '--mutator',
        'x',
        '--patches',
        '/tmp',
        '--test',
        't',
      ],
      cliEnv,
    );
    expect(both.code).toBe(2);
    const badModule = await ratchet(
      [
        'evolve',
        'start',
        '--module',
        '../etc',
        '--workspace',
        '/tmp',
        '--mutator',
        'x',
        '--test',
        't',
      ],
      cliEnv,
    );
    expect(badModule.code).toBe(2);
    expect(badModule.stderr).toMatch(/moduleId/);
    const badVersion = await ratchet(
      ['evolve', 'rollback', 'evolve-x-1', '--to', 'latest', '--reason', 'r'],
      cliEnv,
    );
    expect(badVersion.code).toBe(2);
    expect(badVersion.stderr).toMatch(/v3/);
    // An id that names no cycle: a clear line, no stack trace, with and without --json.
    for (const json of [['--json'], []]) {
      const unknown = await ratchet(['evolve', 'status', 'evolve-nope-1', ...json], cliEnv);
      expect(unknown.code).toBe(2);
      expect(unknown.stdout).toBe('');
      expect(unknown.stderr).toMatch(/^ratchet: workflow not found for ID: evolve-nope-1/);
      expect(unknown.stderr).not.toMatch(/\n\s+at /);
    }
    const badBudget = await ratchet(
      [
        'evolve',
        'start',
        '--workspace',
        '/tmp',
        '--mutator',
        'x',
        '--test',
        't',
        '--budget-evaluations',
        '0',
      ],
      cliEnv,
    );
    expect(badBudget.code).toBe(2);
    expect(badBudget.stderr).toMatch(/budgets\.evaluations/);
  }, 90_000);
});
