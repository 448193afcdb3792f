/** Session creation and deletion as sagas: record, `.session_*` directory, git branch, file watcher. */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { MockActivityEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAgentActivities } from '../../activities/agents';
import { isAlive } from '../../activities/infra/processes';
import { Registry } from '../../activities/agents/registry';
import { createSession, deleteSession } from '../../client/operations';
import { stepFault } from '../../domain/faults';
import { SESSION_STEPS } from '../../domain/operations';
import { createTestEnv, taskQueueFor, type TestEnv } from '../helpers';
import { branches, makeRepo } from './support';

describe('session operations', () => {
  let env: TestEnv;
  let dataDir: string;
  let repo: string;
  let taskQueue: string;
  beforeAll(async () => {
    env = await createTestEnv();
    const root = env.tempDir('ratchet-sessions-');
    dataDir = path.join(root, 'data');
    repo = makeRepo(root);
    taskQueue = taskQueueFor('sessions');
  });
  afterAll(async () => env?.teardown());

  const withWorker = async <T>(fn: () => Promise<T>): Promise<T> =>
    (await env.createWorker(taskQueue, { dataDir })).runUntil(fn);

  it('creates a session whose watcher records changes, and deletes it without a trace', async () => {
    await withWorker(async () => {
      const created = await createSession(env.client, taskQueue, { name: 'work', repo });
      expect(created.status).toBe('completed');
      const dir = String(created.resources.dir);
      const watcherPid = Number(created.resources.watcherPid);
      expect(path.basename(dir)).toMatch(/^\.session_work-/);
      expect(await isAlive(watcherPid)).toBe(true);
      writeFileSync(path.join(dir, 'note.txt'), 'hello');
      await expect
        .poll(() => readFileSync(path.join(dir, '.watch.log'), 'utf8'), { timeout: 10_000 })
        .toMatch(/note\.txt/);
      expect(branches(repo)).toContain(`ratchet/session-${String(created.resources.sessionId)}`);

      const deleted = await deleteSession(
        env.client,
        taskQueue,
        String(created.resources.sessionId),
      );
      expect(deleted).toMatchObject({ status: 'completed', cleanupCompleteness: 100 });
      expect(existsSync(dir)).toBe(false);
      expect(await isAlive(watcherPid)).toBe(false);
      expect(branches(repo)).toEqual(['main']);
      expect((await new Registry(dataDir).read()).sessions).toEqual({});
    });
  });

  it.each(SESSION_STEPS)('failing at %s leaves nothing behind', async (step) => {
    const outcome = await withWorker(() =>
      createSession(
        env.client,
        taskQueue,
        {
          name: `s-${step.replace(/_/g, '-')}`,
          repo,
        },
        { faults: [stepFault('session', step, 'permanent')] },
      ),
    );
    expect(outcome).toMatchObject({
      status: 'compensated',
      failedStep: step,
      cleanupCompleteness: 100,
      registryDrift: [],
    });
    expect(outcome.compensations.map((c) => c.priority)).toEqual(
      [100, 80, 70, 60].slice(0, SESSION_STEPS.indexOf(step) + 1),
    );
    const id = String(outcome.resources.sessionId);
    expect(existsSync(path.join(dataDir, 'sessions', `.session_${id}`))).toBe(false);
    expect(branches(repo)).toEqual(['main']);
    expect((await new Registry(dataDir).read()).sessions[id]).toBeUndefined();
  });

  it('refuses to remove anything that is not a .session_ directory inside the sessions root', async () => {
    const activities = createAgentActivities({ dataDir });
    const mock = new MockActivityEnvironment();
    const victim = env.tempDir('ratchet-victim-');
    await expect(
      mock.run(activities.removeSessionDir, { sessionId: 'x', dir: victim }),
    ).rejects.toThrow(/only \.session_\* directories/);
    await expect(
      mock.run(activities.removeSessionDir, {
        sessionId: 'x',
        dir: path.join(victim, '.session_x'),
      }),
    ).rejects.toThrow(/outside the sessions root/);
    expect(existsSync(victim)).toBe(true);
  });
});
