/**
 * The janitor against what Terminate leaves behind: a creation terminated
 * halfway (no compensation runs) leaves a registry entry, a quota booking, a
 * worktree and branch, a folder and a live process; `ratchet gc --dry-run`
 * reports them and touches nothing, the janitor removes them, and an active
 * agent and a stale lock are told apart correctly.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, utimesSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { readRegistry } from '../../activities/agents/registry';
import { isAlive } from '../../activities/infra/processes';
import { ensureJanitorSchedule, runJanitor } from '../../client/janitor';
import { createAgent, deleteAgent } from '../../client/operations';
import { JANITOR_SCHEDULE_ID, type JanitorReport } from '../../domain/janitor';
import { agentCreate } from '../../workflows/agents';
import { createTestEnv, taskQueueFor, type TestEnv } from '../helpers';
import { makeRepo } from '../operations/support';
import { ratchetCli } from '../support/cli';
import { leftoversOf } from './world';

describe('janitor (ratchet gc)', () => {
  let env: TestEnv;
  beforeAll(async () => {
    env = await createTestEnv();
  });
  afterAll(async () => env?.teardown());

  it('removes what a terminated creation left, and nothing that is owned', async () => {
    const root = env.tempDir('ratchet-janitor-');
    const dataDir = path.join(root, 'data');
    const repo = makeRepo(root);
    const taskQueue = taskQueueFor('janitor');
    const worker = await env.createWorker(taskQueue, { dataDir });
    await worker.runUntil(async () => {
      const keeper = await createAgent(env.client, taskQueue, { name: 'keeper', repo });
      expect(keeper.status).toBe('completed');
      const keeperId = String(keeper.resources.agentId);
      // Should an assertion below fail, the live agent's process must not outlive the test.
      onTestFinished(() => {
        try {
          process.kill(Number(keeper.resources.pid), 'SIGKILL');
        } catch {
          // already gone: the test deleted it
        }
      });

      const handle = await env.client.workflow.start(agentCreate, {
        taskQueue,
        workflowId: `agent-create-halfway-${Date.now().toString(36)}`,
        // Never heartbeats: the run waits in its health check until we terminate it.
        args: [
          { name: 'halfway', repo, command: 'exec sleep 120', healthTimeoutMs: 60_000 } as never,
        ],
      });
      const agents = path.join(dataDir, 'agents');
      const pidFile = () => {
        const dir = existsSync(agents)
          ? readdirSync(agents).find((d) => d.startsWith('halfway-'))
          : undefined;
        return dir ? path.join(agents, dir, 'pid') : null;
      };
      await expect
        .poll(() => (pidFile() ? existsSync(pidFile()!) : false), { timeout: 30_000 })
        .toBe(true);
      const agentId = path.basename(path.dirname(pidFile()!));
      const pid = Number(readFileSync(pidFile()!, 'utf8'));
      await handle.terminate('halfway, for the janitor');
      const left = await leftoversOf(dataDir, agentId, repo);
      expect(left).toEqual(
        expect.arrayContaining(['registry entry', 'quota booking', 'worktree', 'branch']),
      );

      // A lock nobody refreshes any more (its holder was SIGKILLed long ago).
      const lock = path.join(dataDir, 'registry', 'registry.json.lock');
      mkdirSync(lock);
      const old = new Date(Date.now() - 120_000);
      utimesSync(lock, old, old);

      const cliEnv = {
        TEMPORAL_ADDRESS: env.address,
        RATCHET_TASK_QUEUE: taskQueue,
        RATCHET_DATA_DIR: dataDir,
      };
      const dry = await ratchetCli(['gc', '--dry-run', '--json', '--min-age', '0'], cliEnv);
      expect(dry.code, dry.stderr).toBe(0);
      const dryReport = JSON.parse(dry.stdout) as JanitorReport;
      expect(dryReport.status).toBe('dry_run');
      expect(dryReport.orphans.map((o) => `${o.kind} ${o.id}`).sort()).toEqual(
        [`agent ${agentId}`, 'lock registry/registry.json.lock'].sort(),
      );
      expect(await isAlive(pid)).toBe(true); // a dry run touches nothing
      expect(existsSync(lock)).toBe(true);

      const report = await runJanitor(env.client, taskQueue, { minAgeMs: 0 });
      expect(report.status).toBe('compensated');
      expect(report.cleaned.every((c) => c.status !== 'failed')).toBe(true);
      expect(await leftoversOf(dataDir, agentId, repo)).toEqual([]);
      expect(await isAlive(pid)).toBe(false);
      expect(existsSync(lock)).toBe(false);

      // The live agent is untouched, and a second pass finds nothing.
      expect((await readRegistry(dataDir)).agents[keeperId]?.status).toBe('active');
      expect(await isAlive(Number(keeper.resources.pid))).toBe(true);
      expect((await runJanitor(env.client, taskQueue, { minAgeMs: 0 })).status).toBe('clean');
      await deleteAgent(env.client, taskQueue, keeperId);
      expect(await leftoversOf(dataDir, keeperId, repo)).toEqual([]);
    });
  }, 150_000);

  it('keeps itself on a schedule, created once', async () => {
    const taskQueue = taskQueueFor('janitor-schedule');
    expect(await ensureJanitorSchedule(env.client, taskQueue)).toBe(true);
    expect(await ensureJanitorSchedule(env.client, taskQueue)).toBe(false);
    const handle = env.client.schedule.getHandle(JANITOR_SCHEDULE_ID);
    const described = await handle.describe();
    expect(described.action).toMatchObject({ workflowType: 'janitor', taskQueue });
    expect(described.spec.intervals?.[0]?.every).toBe(300_000);
    await handle.delete();
  });
});
