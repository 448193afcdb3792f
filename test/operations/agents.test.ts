/**
 * Agent creation as a saga over real resources: for every step, failing
 * there undoes everything done so far, in priority order, and the world —
 * registry, folders, git worktrees and branches, processes — shows nothing left.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Registry } from '../../activities/agents/registry';
import { isAlive } from '../../activities/infra/processes';
import { createAgent, deleteAgent } from '../../client/operations';
import { stepFault } from '../../domain/faults';
import { AGENT_STEPS } from '../../domain/operations';
import { agentCreate } from '../../workflows/agents';
import { createTestEnv, taskQueueFor, type TestEnv } from '../helpers';
import { branches, leftovers, makeRepo } from './support';

describe('agent operations', () => {
  let env: TestEnv;
  let dataDir: string;
  let repo: string;
  let taskQueue: string;
  beforeAll(async () => {
    env = await createTestEnv();
    const root = env.tempDir('ratchet-agents-');
    dataDir = path.join(root, 'data');
    repo = makeRepo(root);
    taskQueue = taskQueueFor('agents');
  });
  afterAll(async () => env?.teardown());

  const withWorker = async <T>(fn: () => Promise<T>, dir = dataDir): Promise<T> => {
    const worker = await env.createWorker(taskQueue, { dataDir: dir });
    return worker.runUntil(fn);
  };

  it('creates an agent with every resource, and deletes it without a trace', async () => {
    await withWorker(async () => {
      const created = await createAgent(env.client, taskQueue, { name: 'alpha', repo });
      expect(created.status).toBe('completed');
      expect(created.steps.map((s) => s.status)).toEqual(AGENT_STEPS.map(() => 'completed'));
      const r = (key: string) => String(created.resources[key]);
      const [agentId, worktree, sessionDir, stateFile] = [
        r('agentId'),
        r('worktree'),
        r('sessionDir'),
        r('stateFile'),
      ] as const;
      const pid = created.resources.pid as number;
      expect(await isAlive(pid)).toBe(true);
      expect(existsSync(worktree) && existsSync(sessionDir) && existsSync(stateFile)).toBe(true);
      expect(path.basename(sessionDir)).toBe(`.session_${agentId}`);
      expect(branches(repo)).toContain(`ratchet/agent-${agentId}`);
      expect((await new Registry(dataDir).read()).agents[agentId]).toMatchObject({
        status: 'active',
        pid,
      });

      const deleted = await deleteAgent(env.client, taskQueue, agentId);
      expect(deleted).toMatchObject({ status: 'completed', cleanupCompleteness: 100 });
      expect(await leftovers(dataDir, agentId, repo, pid)).toEqual([]);
    });
  });

  it.each(AGENT_STEPS)(
    'failing at %s compensates everything registered, in priority order',
    async (step) => {
      const outcome = await withWorker(() =>
        createAgent(
          env.client,
          taskQueue,
          { name: `fail-${step.replace(/_/g, '-')}`, repo, healthTimeoutMs: 2000 },
          { faults: [stepFault('agent', step, 'permanent')] },
        ),
      );
      expect(outcome).toMatchObject({
        status: 'compensated',
        failedStep: step,
        cleanupCompleteness: 100,
      });
      expect(outcome.error).toMatch(/InjectedFailure/);
      const priorities = outcome.compensations.map((c) => c.priority);
      expect(priorities).toEqual([...priorities].sort((a, b) => b - a));
      expect(outcome.compensations.every((c) => c.status !== 'failed')).toBe(true);
      const done = outcome.steps.filter((s) => s.status === 'completed').map((s) => s.name);
      expect(done).toEqual(AGENT_STEPS.slice(0, AGENT_STEPS.indexOf(step)));
      expect(outcome.registryDrift).toEqual([]);
      expect(
        await leftovers(
          dataDir,
          String(outcome.resources.agentId),
          repo,
          outcome.resources.pid as number | null,
        ),
      ).toEqual([]);
    },
  );

  it('retries a transient failure and succeeds', async () => {
    const outcome = await withWorker(() =>
      createAgent(
        env.client,
        taskQueue,
        { name: 'transient' },
        { faults: [stepFault('agent', 'allocate_resources', 'transient')] },
      ),
    );
    expect(outcome.status).toBe('completed');
    await withWorker(() => deleteAgent(env.client, taskQueue, String(outcome.resources.agentId)));
  });

  it('compensates a step that timed out after its side effect happened', async () => {
    const outcome = await withWorker(() =>
      createAgent(
        env.client,
        taskQueue,
        { name: 'slow', stepTimeoutMs: 1000 },
        { faults: [stepFault('agent', 'persist_state', 'timeout')] },
      ),
    );
    expect(outcome).toMatchObject({ status: 'compensated', failedStep: 'persist_state' });
    const removeState = outcome.compensations.find((c) => c.actionType === 'remove_state');
    expect(removeState?.status).toBe('succeeded'); // the state file was there to remove
    expect(await leftovers(dataDir, String(outcome.resources.agentId), null, null)).toEqual([]);
  });

  it('keeps compensating when one compensation fails for good, and says how complete the cleanup is', async () => {
    const dir = path.join(env.tempDir('ratchet-agents-broken-'), 'data');
    const registryFile = new Registry(dir).file;
    // The agent's own command breaks the registry (a directory where the file should be),
    // but only once the spawn step has recorded its pid there: breaking it earlier races
    // that step's own write, which would recreate the file and leave nothing to fail.
    const command = [
      `until grep -qs '"pid": '$$ '${registryFile}'; do sleep 0.05; done`,
      `rm -f '${registryFile}' && mkdir '${registryFile}' && exec sleep 60`,
    ].join('; ');
    const outcome = await withWorker(
      () =>
        createAgent(env.client, taskQueue, {
          name: 'breaker',
          command,
          // It never heartbeats: the health check fails on its own, long after the registry is broken.
          healthTimeoutMs: 10_000,
        }),
      dir,
    );
    expect(outcome.status).toBe('compensation_incomplete');
    const failed = outcome.compensations
      .filter((c) => c.status === 'failed')
      .map((c) => c.actionType);
    expect(failed.sort()).toEqual(['release_quota', 'remove_record']);
    expect(outcome.compensations.find((c) => c.actionType === 'remove_record')?.attempts).toBe(3);
    const total = outcome.compensations.length;
    expect(outcome.cleanupCompleteness).toBe(Math.round((1000 * (total - 2)) / total) / 10);
    expect(outcome.compensations.find((c) => c.actionType === 'terminate_process')?.status).toBe(
      'succeeded',
    );
    expect(await isAlive(Number(outcome.resources.pid))).toBe(false);
    expect(outcome.registryDrift[0]).toMatch(/registry unreadable/);
    rmSync(registryFile, { recursive: true, force: true });
  });

  it('compensates a cancelled run', async () => {
    await withWorker(async () => {
      const handle = await env.client.workflow.start(agentCreate, {
        taskQueue,
        workflowId: `agent-create-cancel-${Date.now().toString(36)}`,
        // A command that never heartbeats: the health check waits, and we cancel meanwhile.
        args: [
          { name: 'cancelme', repo, command: 'exec sleep 60', healthTimeoutMs: 30_000 } as never,
        ],
      });
      const agentsDir = path.join(dataDir, 'agents');
      await expect
        .poll(() => existsSync(agentsDir) && findPid(agentsDir, 'cancelme') !== null, {
          timeout: 20_000,
        })
        .toBe(true);
      const pid = findPid(agentsDir, 'cancelme')!;
      const agentId = path.basename(path.dirname(pidFileOf(agentsDir, 'cancelme')!));
      await handle.cancel();
      await expect(handle.result()).rejects.toThrow();
      await expect
        .poll(() => leftovers(dataDir, agentId, repo, pid), { timeout: 20_000 })
        .toEqual([]);
    });
  });

  it('refuses bad input with a clear error and creates nothing', async () => {
    const dir = env.tempDir('ratchet-agents-bad-');
    await expect(createAgent(env.client, taskQueue, { name: 'Bad Name!' })).rejects.toThrow(
      /names are/,
    );
    // failAt is no input field any more: an unknown key is refused, by name.
    await expect(
      createAgent(env.client, taskQueue, { name: 'x', failAt: 'no_such_step' }),
    ).rejects.toThrow(/failAt/);
    await expect(
      createAgent(env.client, taskQueue, { name: 'x', repo: 'relative/path' }),
    ).rejects.toThrow(/absolute/);
    const notRepo = await withWorker(
      () => createAgent(env.client, taskQueue, { name: 'norepo', repo: dir }),
      dir,
    );
    expect(notRepo).toMatchObject({ status: 'compensated', failedStep: 'create_worktree' });
    expect(notRepo.error).toMatch(/NotAGitRepository/);
    expect(Object.keys((await new Registry(dir).read()).agents)).toEqual([]);
    mkdirSync(dir, { recursive: true });
  });
});

function pidFileOf(agentsDir: string, name: string): string | null {
  const dir = readdirSync(agentsDir).find((d) => d.startsWith(`${name}-`));
  if (!dir) return null;
  const file = path.join(agentsDir, dir, 'pid');
  return existsSync(file) ? file : null;
}

function findPid(agentsDir: string, name: string): number | null {
  const file = pidFileOf(agentsDir, name);
  if (!file) return null;
  return Number(readFileSync(file, 'utf8'));
}
