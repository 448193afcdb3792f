/**
 * The worker is SIGKILLed in the middle of compensating and another one
 * takes over: every compensation still runs to completion, once in effect,
 * and nothing leaks.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAgent } from '../../client/operations';
import { stepFault } from '../../domain/faults';
import { createTestEnv, taskQueueFor, type TestEnv } from '../helpers';
import { killAndResume, killWhen } from '../support/killAndResume';
import { leftovers, makeRepo } from './support';

describe('compensation survives a killed worker', () => {
  let env: TestEnv;
  beforeAll(async () => {
    env = await createTestEnv();
  });
  afterAll(async () => env?.teardown());

  it('finishes every compensation after the worker dies mid-way', async () => {
    const root = env.tempDir('ratchet-kill-saga-');
    const dataDir = path.join(root, 'data');
    const repo = makeRepo(root);
    const marker = path.join(root, 'sigterm-received');
    const taskQueue = taskQueueFor('kill-saga');
    // An agent that notes SIGTERM and ignores it, so terminating it takes the full grace period.
    const command = `trap 'touch ${marker}' TERM; while :; do sleep 0.1; done`;
    await killAndResume({
      taskQueue,
      dataDir,
      // Not awaited here: the creation ends only once its compensations have run.
      start: async () => ({
        pending: createAgent(
          env.client,
          taskQueue,
          { name: 'stubborn', repo, command },
          { faults: [stepFault('agent', 'health_check', 'permanent')] },
        ),
      }),
      // In the middle of terminate_process, before remove_worktree and the rest.
      deaths: [killWhen(() => existsSync(marker), { timeout: 30_000, interval: 100 })],
      outcome: async ({ pending }) => {
        const outcome = await pending;
        expect(outcome).toMatchObject({
          status: 'compensated',
          cleanupCompleteness: 100,
          registryDrift: [],
        });
        expect(outcome.compensations.map((c) => c.actionType)).toEqual([
          'remove_record',
          'terminate_process',
          'remove_worktree',
          'release_quota',
          'remove_state',
          'remove_session_dir',
          'remove_agent_folder',
        ]);
        const terminate = outcome.compensations.find((c) => c.actionType === 'terminate_process')!;
        expect(terminate.attempts).toBe(2); // the first attempt died with the worker
        expect(
          await leftovers(
            dataDir,
            String(outcome.resources.agentId),
            repo,
            Number(outcome.resources.pid),
          ),
        ).toEqual([]);
      },
    });
  }, 120_000);
});
