/**
 * Two worker processes as two hosts (issue 14) on the shared test queue: a
 * run owned by host A does all its local work on A's queue and in A's data
 * dir, never on B, also while A is away; it parks in needs_attention naming
 * A once the schedule-to-start bound passes, and finishes when A is back.
 */
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveEvolutionConfig, startEvolution } from '../../client/evolution';
import { withFaults } from '../../client/faults';
import { withOwner } from '../../client/hosts';
import { ensureJanitorSchedule } from '../../client/janitor';
import { runDoctor } from '../../client/commands/doctor';
import { createAgent, deleteAgent } from '../../client/operations';
import { Settings } from '../../config/settings';
import { hostQueue, WAITING_FOR_HOST_MEMO_KEY } from '../../domain/hosts';
import { HOST_KEY, HUMAN_NEEDED_KEY, STATE_KEY } from '../../domain/searchAttributes';
import { createTestEnv, taskQueueFor, type TestEnv } from '../helpers';
import { leftovers, makeRepo } from '../operations/support';
import {
  BASE_FILES,
  CHANGES,
  baseConfig,
  writeFiles,
  writeMutator,
} from '../support/evolutionFixture';
import { ratchetCli } from '../support/cli';
import { startWorkerProcess, type WorkerProcess } from '../support/workerProcess';

const filesIn = (dir: string) => (existsSync(dir) ? readdirSync(dir) : []);

interface ActivityRun {
  workflowId: string;
  type: string;
  queue: string;
}

describe('host routing with two workers', () => {
  let env: TestEnv;
  let root: string;
  let taskQueue: string;
  const data = { 'host-a': '', 'host-b': '' };
  const workers: Partial<Record<keyof typeof data, WorkerProcess>> = {};
  let ownedByA: Client;

  const startHost = async (host: keyof typeof data) => {
    workers[host] = await startWorkerProcess(taskQueue, data[host], { RATCHET_TEST_HOST_ID: host });
    return workers[host];
  };

  beforeAll(async () => {
    env = await createTestEnv();
    root = env.tempDir('ratchet-hosts-');
    taskQueue = taskQueueFor('hosts');
    data['host-a'] = path.join(root, 'data-a');
    data['host-b'] = path.join(root, 'data-b');
    await Promise.all([startHost('host-a'), startHost('host-b')]);
    // Short enough for the "host away" case to park within the test.
    ownedByA = withOwner(env.client, { id: 'host-a', waitForHostMs: 3_000 });
  });
  afterAll(async () => {
    await Promise.all(Object.values(workers).map((w) => w?.stop()));
    await env?.teardown();
  });

  /** `ratchet doctor`'s host checks, as run on `host`. */
  async function doctorAs(host: string) {
    const settings = Settings.parse({
      temporal: { address: env.address },
      taskQueue,
      dataDir: env.tempDir('ratchet-doctor-'),
      hostId: host,
    });
    // Only the host checks: the Web UI probe costs seconds and says nothing here.
    const checks = await runDoctor(settings, ['host-queue', 'hosts']);
    return Object.fromEntries(
      checks.filter((c) => c.name.startsWith('host')).map((c) => [c.name, c]),
    );
  }

  /** Every activity a run scheduled (and its children's, recursively), with the queue it went to. */
  async function activitiesOf(workflowId: string): Promise<ActivityRun[]> {
    const history = await env.client.workflow.getHandle(workflowId).fetchHistory();
    const out: ActivityRun[] = [];
    for (const event of history.events ?? []) {
      const scheduled = event.activityTaskScheduledEventAttributes;
      if (scheduled) {
        out.push({
          workflowId,
          type: scheduled.activityType?.name ?? '?',
          queue: scheduled.taskQueue?.name ?? '?',
        });
      }
      const child = event.startChildWorkflowExecutionInitiatedEventAttributes;
      if (child?.workflowId) out.push(...(await activitiesOf(child.workflowId)));
    }
    return out;
  }

  /** Identities of the workers that started the run's activity tasks. */
  async function startedBy(workflowId: string): Promise<string[]> {
    const history = await env.client.workflow.getHandle(workflowId).fetchHistory();
    return (history.events ?? []).flatMap((e) =>
      e.activityTaskStartedEventAttributes
        ? [e.activityTaskStartedEventAttributes.identity ?? '']
        : [],
    );
  }

  it('runs every activity of an agent creation and deletion on its owner, never on the other host', async () => {
    const repo = makeRepo(path.join(root, 'agents'));
    const createId = `agent-create-routed-${Date.now().toString(36)}`;
    const created = await createAgent(
      ownedByA,
      taskQueue,
      { name: 'routed', repo },
      { workflowId: createId },
    );
    expect(created.status).toBe('completed');
    const agentId = String(created.resources.agentId);
    const deleted = await deleteAgent(ownedByA, taskQueue, agentId);
    expect(deleted).toMatchObject({ status: 'completed', cleanupCompleteness: 100 });

    const runs = await activitiesOf(createId);
    expect(runs.length).toBeGreaterThan(5);
    expect(runs.filter((r) => r.queue !== hostQueue(taskQueue, 'host-a'))).toEqual([]);
    const pidA = workers['host-a']!.child.pid!;
    expect(new Set(await startedBy(createId))).toEqual(
      new Set([expect.stringMatching(new RegExp(`^${pidA}@`))]),
    );
    // The owner is shown where people look: the run's search attributes.
    const description = await env.client.workflow.getHandle(createId).describe();
    expect(description.typedSearchAttributes.get(HOST_KEY)).toBe('host-a');
    // A's data dir holds the agent's traces (now cleaned); B's was never touched.
    expect(await leftovers(data['host-a'], agentId, repo, created.resources.pid as number)).toEqual(
      [],
    );
    expect(filesIn(data['host-b'])).toEqual([]);

    // doctor sees each host's queue and its worker; a host with no worker fails its own check.
    const onA = await doctorAs('host-a');
    expect(onA['host-queue']).toMatchObject({
      ok: true,
      detail: expect.stringContaining(`${pidA}@`),
    });
    expect(onA.hosts).toMatchObject({
      ok: true,
      detail: expect.stringContaining('host-a (this host)'),
    });
    expect((await doctorAs('host-c'))['host-queue']).toMatchObject({
      ok: false,
      detail: expect.stringContaining(`no worker polls "${hostQueue(taskQueue, 'host-c')}"`),
    });
  });

  it('runs a cycle, its iterations included, on its owner', async () => {
    const base = path.join(root, 'cycle');
    const workspace = path.join(base, 'lib');
    mkdirSync(path.join(base, 'scripts'), { recursive: true });
    mkdirSync(workspace);
    writeFiles(workspace, BASE_FILES);
    const mutator = writeMutator(path.join(base, 'scripts'), { 1: { files: CHANGES.faster } });
    const config = resolveEvolutionConfig(
      baseConfig(workspace, mutator, { expose: [path.join(base, 'scripts')] }),
    );
    const handle = await startEvolution(
      ownedByA,
      taskQueue,
      config,
      `evolve-routed-${Date.now().toString(36)}`,
    );
    const result = await handle.result();
    expect(result.iterations[0]).toMatchObject({ decision: 'accepted', version: 'v2' });

    const runs = await activitiesOf(handle.workflowId);
    expect(runs.some((r) => r.workflowId !== handle.workflowId)).toBe(true); // the iteration's too
    expect(runs.some((r) => r.type === 'createCheckpoint')).toBe(true);
    expect(runs.filter((r) => r.queue !== hostQueue(taskQueue, 'host-a'))).toEqual([]);
    expect(filesIn(data['host-a'])).toContain('checkpoints');
    expect(filesIn(data['host-b'])).toEqual([]);
  });

  it('waits for its host while it is away, parks naming it, and finishes when it is back', async () => {
    await workers['host-a']!.stop();
    const repo = makeRepo(path.join(root, 'away'));
    const workflowId = `agent-create-away-${Date.now().toString(36)}`;
    const pending = createAgent(ownedByA, taskQueue, { name: 'away', repo }, { workflowId }).catch(
      (err: unknown) => err,
    );
    const handle = env.client.workflow.getHandle(workflowId);
    // B serves the shared queue (the workflow runs) but never A's work: the run parks.
    await expect
      .poll(
        async () => {
          const d = await handle.describe();
          return {
            waiting: d.memo?.[WAITING_FOR_HOST_MEMO_KEY],
            state: d.typedSearchAttributes.get(STATE_KEY),
            human: d.typedSearchAttributes.get(HUMAN_NEEDED_KEY),
          };
        },
        { timeout: 60_000, interval: 250 },
      )
      .toEqual({
        waiting: expect.stringContaining('waiting for host host-a'),
        state: 'needs_attention',
        human: true,
      });
    expect(await startedBy(workflowId)).toEqual([]);
    expect(filesIn(data['host-b'])).toEqual([]);
    // `agent status` shows the owner and what the run waits for.
    const status = await ratchetCli(['agent', 'status', workflowId, '--json'], {
      TEMPORAL_ADDRESS: env.address,
    });
    expect(status.code, status.stderr).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({
      host: 'host-a',
      waitingForHost: expect.stringContaining('ratchet worker --host host-a'),
    });
    // Seen from B, doctor names the host the run waits for.
    await expect
      .poll(async () => (await doctorAs('host-b')).hosts, { timeout: 30_000, interval: 500 })
      .toMatchObject({
        ok: false,
        detail: expect.stringContaining('no worker for host-a (1 run(s) wait for it)'),
      });

    const back = await startHost('host-a');
    const outcome = await pending;
    expect(outcome).toMatchObject({ status: 'completed' });
    const d = await handle.describe();
    expect(d.memo?.[WAITING_FOR_HOST_MEMO_KEY]).toBeUndefined();
    expect(d.typedSearchAttributes.get(HUMAN_NEEDED_KEY)).not.toBe(true);
    const identities = await startedBy(workflowId);
    expect(identities.length).toBeGreaterThan(5);
    expect(identities.every((i) => i.startsWith(`${back.child.pid}@`))).toBe(true);
    expect(
      (await activitiesOf(workflowId)).every((r) => r.queue === hostQueue(taskQueue, 'host-a')),
    ).toBe(true);

    const agentId = String((outcome as { resources: Record<string, unknown> }).resources.agentId);
    await deleteAgent(ownedByA, taskQueue, agentId);
    expect(await leftovers(data['host-a'], agentId, repo, null)).toEqual([]);
    expect(filesIn(data['host-b'])).toEqual([]);
  });

  it('retries a step lost with its killed host on that host only, after it restarts', async () => {
    const markers = env.tempDir('ratchet-hosts-kill-');
    const first = workers['host-a']!;
    const repo = makeRepo(path.join(root, 'killed'));
    const workflowId = `agent-create-killed-${Date.now().toString(36)}`;
    // The fault plan SIGKILLs host A's worker as it takes the worktree step: the attempt is lost with the host.
    const killAtWorktree = withFaults(ownedByA, [
      {
        activity: 'createAgentWorktree',
        mode: 'kill',
        phase: 'before',
        onceFile: path.join(markers, 'createAgentWorktree'),
      },
    ]);
    const pending = createAgent(
      killAtWorktree,
      taskQueue,
      { name: 'killed', repo, stepTimeoutMs: 4000 },
      { workflowId },
    );
    await first.exited;
    expect(existsSync(path.join(markers, 'createAgentWorktree'))).toBe(true);
    const handle = env.client.workflow.getHandle(workflowId);
    await expect
      .poll(async () => (await handle.describe()).memo?.[WAITING_FOR_HOST_MEMO_KEY], {
        timeout: 60_000,
        interval: 250,
      })
      .toEqual(expect.stringContaining('waiting for host host-a'));
    const second = await startHost('host-a');
    const outcome = await pending;
    expect(outcome.status).toBe('completed');
    const pids = [first.child.pid, second.child.pid].map((pid) => `${pid}@`);
    expect(
      (await startedBy(workflowId)).filter((id) => !pids.some((p) => id.startsWith(p))),
    ).toEqual([]);
    await deleteAgent(ownedByA, taskQueue, String(outcome.resources.agentId));
    expect(await leftovers(data['host-a'], String(outcome.resources.agentId), repo, null)).toEqual(
      [],
    );
    expect(filesIn(data['host-b'])).toEqual([]);
  });

  it("runs a host's janitor schedule on that host", async () => {
    const owner = { id: 'host-b', waitForHostMs: 60_000 };
    expect(await ensureJanitorSchedule(env.client, taskQueue, owner)).toBe(true);
    const schedule = env.client.schedule.getHandle('ratchet-janitor@host-b');
    try {
      await schedule.trigger();
      let runId: string | undefined;
      await expect
        .poll(
          async () =>
            (runId = (await schedule.describe()).info.recentActions[0]?.action.workflow.workflowId),
          { timeout: 30_000, interval: 250 },
        )
        .toBeDefined();
      await env.client.workflow.getHandle(runId!).result();
      const runs = await activitiesOf(runId!);
      expect(runs.some((r) => r.type === 'janitorScan')).toBe(true);
      expect(runs.filter((r) => r.queue !== hostQueue(taskQueue, 'host-b'))).toEqual([]);
    } finally {
      await schedule.delete();
    }
  });

  it('refuses a malformed --host before starting anything (exit 2, naming the flag)', async () => {
    const repo = makeRepo(path.join(root, 'bad-host'));
    for (const args of [
      ['--host', 'a b', 'agent', 'create', '--name', 'nope', '--repo', repo],
      ['worker', '--host', '../etc'],
    ]) {
      const res = await ratchetCli(args, { TEMPORAL_ADDRESS: env.address });
      expect(res.code, res.stderr).toBe(2);
      expect(res.stderr).toMatch(/--host "(a b|\.\.\/etc)": expected 1-63 letters/);
    }
    expect(filesIn(data['host-a']).filter((f) => f.includes('nope'))).toEqual([]);
  });
});
