/**
 * `npm run test:cluster`: ratchet on a real Temporal cluster — the full server
 * on PostgreSQL (scripts/cluster/) — with two worker processes as two hosts,
 * each with its own data dir and workspace root:
 *
 *   cycles on A and B ─▶ A's worker SIGKILLed mid-evaluation ─▶ agent creations
 *   on both (some failing) while A is gone: B's finish, A's wait ─▶ A's worker
 *   back: A's runs resume ─▶ the server restarted mid-evaluation ─▶ everything
 *   finishes ─▶ agents deleted ─▶ histories read: every host-bound activity ran
 *   on its owner's queue, by its owner's worker ─▶ nothing left anywhere.
 *
 * Not part of `npm test` (it builds and runs a server for minutes); it prints
 * its timings. Everything it starts is stopped and removed in afterAll.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Registry } from '../../activities/agents/registry';
import { processesInDir } from '../../activities/infra/commands';
import { isAlive } from '../../activities/infra/processes';
import { createAgent, deleteAgent } from '../../client/operations';
import { resolveEvolutionConfig, startEvolution } from '../../client/evolution';
import { withOwner } from '../../client/hosts';
import { stepFault } from '../../domain/faults';
import { DEFAULT_HOST_WAIT_MS, hostQueue, isHostBound, ownerFromMemo } from '../../domain/hosts';
import { isListening } from '../../server/ports';
import {
  findPostgresBin,
  PostgresNotInstalled,
  startPostgres,
  type Postgres,
} from '../../scripts/cluster/postgres';
import { ensureServerBinaries } from '../../scripts/cluster/serverBuild';
import {
  setupSchemas,
  startTemporalCluster,
  type TemporalCluster,
} from '../../scripts/cluster/temporalCluster';
import {
  BASE_FILES,
  CHANGES,
  baseConfig,
  writeFiles,
  writeMutator,
} from '../support/evolutionFixture';
import { readTree, sleepingIn } from '../support/evolutionRun';
import { leftovers, makeRepo, worktrees } from '../operations/support';
import { readRuns, routingViolations } from './histories';
import {
  doctorOn,
  hostDirs,
  SHARED_QUEUE,
  startHostWorker,
  type HostDirs,
  type HostWorker,
} from './hostWorker';

const timings: [string, number][] = [];
async function timed<T>(label: string, fn: () => Promise<T>): Promise<T> {
  const started = Date.now();
  try {
    return await fn();
  } finally {
    timings.push([label, Date.now() - started]);
  }
}
const DOCTOR_CHECKS = ['server', 'namespace', 'search-attributes', 'worker', 'host-queue', 'hosts'];
const say = (line: string) => process.stderr.write(`[cluster] ${line}\n`);

describe('ratchet on a real Temporal cluster (PostgreSQL) with two hosts', () => {
  const scratch = mkdtempSync(path.join(tmpdir(), 'ratchet-cluster-'));
  let pg: Postgres | undefined;
  let cluster: TemporalCluster | undefined;
  let connection: Connection | undefined;
  let client: Client;
  const workers: Partial<Record<'A' | 'B', HostWorker>> = {};
  const identities: Record<string, Set<string>> = {};
  let hosts: Record<'A' | 'B', HostDirs>;
  const began = Date.now();

  beforeAll(async () => {
    Runtime.install({ logger: new DefaultLogger('ERROR') });
    // Before a build that may take half an hour: is PostgreSQL there at all?
    if (!findPostgresBin()) {
      throw new PostgresNotInstalled('PostgreSQL is not installed: run `npm run cluster:setup`');
    }
    const binaries = await timed('server binaries (cache or Go build)', () =>
      ensureServerBinaries({
        cacheDir: process.env.RATCHET_CACHE_DIR ?? path.join(homedir(), '.cache', 'ratchet'),
        onProgress: say,
      }),
    );
    pg = await timed('PostgreSQL initdb + start', () => startPostgres({ onProgress: say }));
    await timed('schemas (temporal-sql-tool)', () => setupSchemas(binaries, pg!));
    cluster = await timed('Temporal server first start (+ namespace, search attributes)', () =>
      startTemporalCluster({
        binaries,
        postgres: pg!,
        dir: path.join(scratch, 'server'),
        onProgress: say,
      }),
    );
    connection = await Connection.connect({ address: cluster.address });
    client = new Client({ connection, namespace: cluster.namespace });
    hosts = { A: hostDirs(scratch, 'host-a'), B: hostDirs(scratch, 'host-b') };
    for (const h of ['A', 'B'] as const) {
      workers[h] = await timed(`worker ${h} start`, () => startHost(h));
    }
  });

  /** A client whose runs `h` owns: how `ratchet --host` and each host's own CLI start them. */
  const on = (h: 'A' | 'B') =>
    withOwner(client, { id: hosts[h].id, waitForHostMs: DEFAULT_HOST_WAIT_MS });

  async function startHost(h: 'A' | 'B'): Promise<HostWorker> {
    const host = hosts[h];
    const worker = await startHostWorker(
      client,
      cluster!.address,
      host,
      hostQueue(SHARED_QUEUE, host.id),
    );
    (identities[host.id] ??= new Set()).add(worker.identity);
    return worker;
  }

  afterAll(async () => {
    for (const w of Object.values(workers)) await w?.stop().catch(() => undefined);
    await connection?.close().catch(() => undefined);
    await cluster?.stop();
    await pg?.stop();
    // After a failure midway: agents' processes may still run under the hosts' dirs.
    for (const pid of await processesInDir(scratch)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone meanwhile
      }
    }
    rmSync(scratch, { recursive: true, force: true });
    timings.push(['total', Date.now() - began]);
    const width = Math.max(...timings.map(([l]) => l.length));
    process.stdout.write(
      `\ncluster test timings:\n${timings.map(([l, ms]) => `  ${l.padEnd(width)}  ${(ms / 1000).toFixed(1)} s`).join('\n')}\n`,
    );
  });

  function cycleSetup(
    host: HostDirs,
    name: string,
    plan: Parameters<typeof writeMutator>[1],
    iterations: number,
    sleepSec: number,
  ) {
    const workspace = path.join(host.workspaces, name);
    const scripts = path.join(host.root, `scripts-${name}`);
    mkdirSync(workspace);
    mkdirSync(scripts);
    writeFiles(workspace, BASE_FILES);
    const mutator = writeMutator(scripts, plan);
    return {
      workspace,
      before: readTree(workspace),
      config: resolveEvolutionConfig(
        baseConfig(workspace, mutator, {
          iterations,
          expose: [scripts],
          evaluation: {
            // A candidate's evaluation (factor ≠ 1) takes its time: the window to kill a worker or the server in.
            test: `if ! grep -q '"factor": 1 ' perf.json; then sleep ${sleepSec}; fi; node --test`,
            metrics: 'node measure.js',
            commandTimeoutSec: 120,
          },
        }),
      ),
    };
  }

  it('routes every host-bound activity to its owner, survives a killed host and a server restart, and leaves nothing', async () => {
    const { A, B } = hosts;
    const cycleA = cycleSetup(A, 'liba', { 1: { files: CHANGES.faster } }, 1, 8);
    const cycleB = cycleSetup(
      B,
      'libb',
      { 1: { files: CHANGES.faster }, 2: { files: CHANGES.bug } },
      2,
      4,
    );
    const repos = {
      A: makeRepo(path.join(A.root, 'agents')),
      B: makeRepo(path.join(B.root, 'agents')),
    };

    // Each host's health check, as its worker container runs it: its own queue has its worker.
    const doctors = await timed('doctor on both hosts (CLI)', () =>
      Promise.all([
        doctorOn(cluster!.address, A, DOCTOR_CHECKS),
        doctorOn(cluster!.address, B, DOCTOR_CHECKS),
      ]),
    );
    for (const [h, report] of [
      ['A', doctors[0]],
      ['B', doctors[1]],
    ] as const) {
      expect(report.checks.map((c) => [c.name, c.ok])).toEqual(DOCTOR_CHECKS.map((c) => [c, true]));
      const hostQueueCheck = report.checks.find((c) => c.name === 'host-queue')!;
      expect(hostQueueCheck.detail).toContain(workers[h]!.identity);
    }

    const phase1 = Date.now();
    const handleA = await startEvolution(on('A'), SHARED_QUEUE, cycleA.config);
    const handleB = await startEvolution(on('B'), SHARED_QUEUE, cycleB.config);

    // Host A goes away in the middle of its candidate's evaluation.
    await expect
      .poll(() => sleepingIn(cycleA.workspace), { timeout: 120_000, interval: 200 })
      .toBe(true);
    timings.push(['cycle A start → its evaluation running', Date.now() - phase1]);
    await workers.A!.kill();
    const downSince = Date.now();

    // Agent creations on both hosts while A is gone: one of each host's fails and compensates.
    const create = (h: 'A' | 'B', name: string, fail?: string) =>
      createAgent(
        on(h),
        SHARED_QUEUE,
        { name, repo: repos[h], healthTimeoutMs: 20_000 },
        { faults: fail ? [stepFault('agent', fail, 'permanent')] : undefined },
      );
    const agentsA = Promise.all([
      create('A', 'a-one'),
      create('A', 'a-two'),
      create('A', 'a-bad', 'spawn_process'),
    ]);
    const agentsB = await timed('B: 3 agent creations while A is down', () =>
      Promise.all([
        create('B', 'b-one'),
        create('B', 'b-two'),
        create('B', 'b-bad', 'create_worktree'),
      ]),
    );
    expect(agentsB.map((o) => o.status)).toEqual(['completed', 'completed', 'compensated']);
    // A's work waited for A: its cycle is still running and nothing of A's ran on B (checked in full below).
    expect((await handleA.describe()).status.name).toBe('RUNNING');
    expect(Object.keys((await new Registry(A.dataDir).read()).agents)).toEqual([]);
    const settled = await Promise.race([
      agentsA.then(() => 'finished'),
      Promise.resolve('waiting'),
    ]);
    expect(settled).toBe('waiting');

    workers.A = await timed('worker A restart', () => startHost('A'));
    timings.push(['host A down (kill → its worker polling again)', Date.now() - downSince]);

    // The server goes away too, while A's candidate is evaluated again.
    await expect
      .poll(() => sleepingIn(cycleA.workspace), { timeout: 180_000, interval: 200 })
      .toBe(true);
    await timed('server restart (stop → serving again)', async () => {
      await cluster!.stop();
      await cluster!.start();
    });

    const [resultA, resultB, outcomesA] = await timed(
      'after the server restart → all runs done',
      () => Promise.all([handleA.result(), handleB.result(), agentsA]),
    );
    timings.push(['cycles + agents, first start → all done', Date.now() - phase1]);
    expect(resultA.iterations[0]).toMatchObject({ decision: 'accepted', version: 'v2' });
    expect(readTree(cycleA.workspace)).toEqual({ ...cycleA.before, ...CHANGES.faster });
    expect(resultB.iterations.map((i) => i.decision)).toEqual([
      'accepted',
      expect.not.stringMatching(/^accepted$/),
    ]);
    expect(readTree(cycleB.workspace)).toEqual({ ...cycleB.before, ...CHANGES.faster });
    expect(outcomesA.map((o) => o.status)).toEqual(['completed', 'completed', 'compensated']);

    // Delete every agent that was created, on its own host.
    const created = [
      ...outcomesA.map((o) => ({ h: 'A' as const, o })),
      ...agentsB.map((o) => ({ h: 'B' as const, o })),
    ].filter(({ o }) => o.status === 'completed');
    await timed('4 agent deletions', () =>
      Promise.all(
        created.map(({ h, o }) => deleteAgent(on(h), SHARED_QUEUE, String(o.resources.agentId))),
      ),
    );

    // Routing, from the histories of every run in the namespace (children included).
    const runs = await readRuns(client, (memo) => ownerFromMemo(memo)?.id);
    const owners = new Set(runs.map((r) => r.owner));
    expect(owners).toEqual(new Set([A.id, B.id]));
    expect(runs.filter((r) => r.status === 'RUNNING').map((r) => r.workflowId)).toEqual([]);
    expect(
      routingViolations(runs, {
        hostQueue: (id) => hostQueue(SHARED_QUEUE, id),
        identitiesOf: (id) => identities[id] ?? new Set(),
        isHostBound,
      }),
    ).toEqual([]);
    // A's runs were finished by A's second worker: the attempt killed with the first ran again there.
    const secondA = [...identities[A.id]!][1]!;
    const ofA = runs.filter((r) => r.owner === A.id).flatMap((r) => r.activities);
    const retriedOnSecondA = ofA.filter((a) => a.identity === secondA && (a.attempt ?? 1) > 1);
    expect(retriedOnSecondA.map((a) => a.type)).not.toEqual([]);
    // Each host really ran work (the checks above are not vacuous), and every activity started.
    for (const h of ['A', 'B'] as const) {
      const mine = runs.filter((r) => r.owner === hosts[h].id).flatMap((r) => r.activities);
      expect(
        mine.filter((a) => identities[hosts[h].id]!.has(a.identity ?? '')).length,
      ).toBeGreaterThan(10);
    }
    expect(runs.flatMap((r) => r.activities).filter((a) => a.identity === undefined)).toEqual([]);
    // The owner is searchable on PostgreSQL's visibility store too (RatchetHost, children included).
    for (const h of ['A', 'B'] as const) {
      const owned = runs.filter((r) => r.owner === hosts[h].id).length;
      await expect
        .poll(async () => (await client.workflow.count(`RatchetHost = '${hosts[h].id}'`)).count)
        .toBe(owned);
    }
    const activityCount = runs.reduce((n, r) => n + r.activities.length, 0);
    say(
      `${runs.length} runs (${runs.filter((r) => r.owner === A.id).length} owned by A), ${activityCount} activities checked; ` +
        `retried on A's second worker: ${retriedOnSecondA.map((a) => `${a.type}#${a.attempt}`).join(', ')}; ` +
        `workers ${JSON.stringify(Object.fromEntries(Object.entries(identities).map(([k, v]) => [k, [...v]])))}`,
    );

    // Nothing left: no agent, worktree, branch or process; no command still running in a workspace.
    for (const { h, o } of created) {
      expect(
        await leftovers(
          hosts[h].dataDir,
          String(o.resources.agentId),
          repos[h],
          o.resources.pid as number,
        ),
      ).toEqual([]);
    }
    for (const h of ['A', 'B'] as const) {
      const state = await new Registry(hosts[h].dataDir).read();
      expect(Object.keys(state.agents)).toEqual([]);
      expect(Object.keys(state.allocations)).toEqual([]);
      expect(worktrees(repos[h])).toHaveLength(1);
      expect(await processesInDir(hosts[h].root)).toEqual([]);
    }

    // Teardown proves itself: workers, server and PostgreSQL gone, temp dirs removed.
    const pids = [workers.A.child.pid!, workers.B!.child.pid!, cluster!.pid()!];
    const pgDir = pg!.dir;
    const pgPort = pg!.port;
    const address = cluster!.address;
    await timed('teardown', async () => {
      for (const w of Object.values(workers)) await w.stop();
      await connection!.close();
      connection = undefined;
      await cluster!.stop();
      await pg!.stop();
    });
    for (const pid of pids) expect(await isAlive(pid)).toBe(false);
    expect(await isListening(address)).toBe(false);
    expect(await isListening(`127.0.0.1:${pgPort}`)).toBe(false);
    expect(existsSync(pgDir)).toBe(false);
  });
});
