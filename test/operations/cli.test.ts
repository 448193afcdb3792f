/** `ratchet agent|session …` as scripts call them: JSON fields and exit codes. */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestEnv, taskQueueFor, type TestEnv } from '../helpers';
import { ratchetCli } from '../support/cli';

const ratchet = ratchetCli;

describe('ratchet agent / session CLI', () => {
  let env: TestEnv;
  beforeAll(async () => {
    env = await createTestEnv();
  });
  afterAll(async () => env?.teardown());

  it('create --json prints the outcome; exit 0 when completed, 1 when compensated, 2 on bad input', async () => {
    const dataDir = path.join(env.tempDir('ratchet-cli-ops-'), 'data');
    const taskQueue = taskQueueFor('ops-cli');
    const cliEnv = {
      TEMPORAL_ADDRESS: env.address,
      RATCHET_TASK_QUEUE: taskQueue,
      RATCHET_DATA_DIR: dataDir,
    };
    const worker = await env.createWorker(taskQueue, { dataDir });
    await worker.runUntil(async () => {
      const failed = await ratchet(
        ['agent', 'create', '--name', 'clia', '--fail-at', 'persist_state', '--json'],
        cliEnv,
      );
      expect(failed.code).toBe(1);
      const outcome = JSON.parse(failed.stdout) as Record<string, unknown> & {
        compensations: Array<Record<string, unknown>>;
      };
      expect(outcome).toMatchObject({
        status: 'compensated',
        failedStep: 'persist_state',
        cleanupCompleteness: 100,
      });
      expect(Object.keys(outcome)).toEqual(
        expect.arrayContaining([
          'workflowId',
          'status',
          'failedStep',
          'steps',
          'compensations',
          'cleanupCompleteness',
          'resources',
        ]),
      );
      expect(Object.keys(outcome.compensations[0]!)).toEqual(
        expect.arrayContaining([
          'actionType',
          'resourceId',
          'priority',
          'status',
          'attempts',
          'durationMs',
          'error',
        ]),
      );
      expect(outcome.workflowId).toMatch(/^agent-create-clia-/);

      const ok = await ratchet(['agent', 'create', '--name', 'clib', '--json'], cliEnv);
      expect(ok.code, ok.stderr).toBe(0);
      const agentId = String(
        (JSON.parse(ok.stdout) as { resources: { agentId: string } }).resources.agentId,
      );
      const list = await ratchet(['agent', 'list', '--json'], cliEnv);
      expect((JSON.parse(list.stdout) as Array<{ id: string }>).map((a) => a.id)).toEqual([
        agentId,
      ]);
      const del = await ratchet(['agent', 'delete', agentId, '--json'], cliEnv);
      expect(del.code).toBe(0);
      expect(JSON.parse((await ratchet(['agent', 'list', '--json'], cliEnv)).stdout)).toEqual([]);
    });
  }, 170_000);

  it('session create --json; bad input exits 2 before anything starts', async () => {
    const dataDir = path.join(env.tempDir('ratchet-cli-ops-'), 'data');
    const taskQueue = taskQueueFor('ops-cli-session');
    const cliEnv = {
      TEMPORAL_ADDRESS: env.address,
      RATCHET_TASK_QUEUE: taskQueue,
      RATCHET_DATA_DIR: dataDir,
    };
    const worker = await env.createWorker(taskQueue, { dataDir });
    await worker.runUntil(async () => {
      const session = await ratchet(
        ['session', 'create', '--name', 'clis', '--fail-at', 'start_watcher', '--json'],
        cliEnv,
      );
      expect(session.code).toBe(1);
      expect(JSON.parse(session.stdout)).toMatchObject({
        operation: 'session.create',
        status: 'compensated',
      });
    });
    const badName = await ratchet(['agent', 'create', '--name', 'Not OK'], cliEnv);
    expect(badName.code).toBe(2);
    expect(badName.stderr).toMatch(/names are/);
    const badStep = await ratchet(
      ['agent', 'create', '--name', 'x', '--fail-at', 'nowhere'],
      cliEnv,
    );
    expect(badStep.code).toBe(2);
    expect(badStep.stderr).toMatch(/unknown step "nowhere"/);
    const badMode = await ratchet(
      ['agent', 'create', '--name', 'x', '--fail-mode', 'sometimes'],
      cliEnv,
    );
    expect(badMode.code).toBe(2);
  }, 170_000);
});
