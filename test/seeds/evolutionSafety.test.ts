/**
 * Seeds 000/003 over one real cycle (v2 accepted, v3's tests fail and it is
 * rolled back): the seeds' keys in the durable log, `evolve events --type`,
 * a client subscription to one type, sinks filtered by type, the metric
 * history and `versions show`, `evolve stats`, and autoCleanup keeping what
 * retention protects. The switch values the cycle cannot honour are refused
 * at start, with nothing started.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { autoCleanup } from '../../activities/evolution/autoCleanup';
import { deliverEvents, eventLogFile, readEventLog } from '../../activities/evolution/eventLog';
import { loadJudgeHistory, readMetricHistory } from '../../activities/evolution/metricHistory';
import { CheckpointStore, createCheckpoint } from '../../activities/checkpoints';
import { getLineage } from '../../activities/checkpoints/lineage';
import { subscribeEvolutionEvents } from '../../client/evolutionSubscribe';
import type { EvolutionEvent } from '../../domain/evolution/events';
import { createTestEnv, type TestEnv } from '../helpers';
import { CHANGES } from '../support/evolutionFixture';
import { runCycle, type CycleRun } from '../support/evolutionRun';
import { runCli } from './inProcessCli';

describe('seeds 000/003: events, history, statistics over a real cycle', () => {
  let env: TestEnv;
  let run: CycleRun;
  const subscribed: EvolutionEvent[] = [];
  const eventsCli: Array<Awaited<ReturnType<typeof runCli>>> = [];
  let sinkFile: string;
  const cli = (...args: string[]) =>
    runCli(args, { TEMPORAL_ADDRESS: env.address, RATCHET_DATA_DIR: run.dataDir });

  beforeAll(async () => {
    env = await createTestEnv();
    sinkFile = path.join(env.tempDir('ratchet-cyclesink-'), 'events.jsonl');
    run = await runCycle({
      env,
      name: 'seedsafety',
      plan: { 1: { files: CHANGES.faster }, 2: { files: CHANGES.bug } },
      config: {
        iterations: 2,
        stableAfter: 0,
        sinks: { jsonl: sinkFile, types: ['ROLLBACK_COMPLETED', 'VERSION_*'] },
      },
      during: async (handle, { dataDir }) => {
        const sub = subscribeEvolutionEvents(
          env.client,
          handle.workflowId,
          'ROLLBACK_COMPLETED',
          (e) => void subscribed.push(e),
          { dataDir, pollMs: 200 },
        );
        await sub.done; // resolves once the cycle has closed and every event was handled
        // Read while this run's worker can still answer the closed cycle's query.
        const cliHere = (...args: string[]) =>
          runCli(['evolve', 'events', handle.workflowId, ...args], {
            TEMPORAL_ADDRESS: env.address,
            RATCHET_DATA_DIR: dataDir,
          });
        eventsCli.push(
          await cliHere('--type', 'ROLLBACK_*', '--json'),
          await cliHere('--type', 'version_accepted', '--type', 'ROLLBACK_COMPLETED', '--json'),
          await cliHere('--type', 'ROLBACK_*'),
        );
      },
    });
  });
  afterAll(async () => env?.teardown());

  it('ran: v2 accepted, v3 rolled back', () => {
    expect(run.result.iterations.map((i) => [i.version, i.decision])).toEqual([
      ['v2', 'accepted'],
      ['v3', 'rolled_back'],
    ]);
  });

  it("the durable log carries the seeds' keys beside ratchet's", async () => {
    const logged = await readEventLog(
      eventLogFile(run.dataDir, run.result.moduleId, run.result.workflowId),
    );
    const completed = logged.find((e) => e.type === 'ROLLBACK_COMPLETED')!;
    expect(completed.data).toMatchObject({
      version: 'v2',
      version_id: 'v2',
      verified: true,
      verification_passed: true,
      success: true,
    });
    expect(logged.find((e) => e.type === 'ROLLBACK_VERIFICATION_PASSED')!.data).toMatchObject({
      version_id: 'v2',
      verification_passed: true,
    });
    expect(logged.find((e) => e.type === 'ROLLBACK_INITIATED')!.data.version_id).toBe('v2');
  });

  it("a client subscription to one type got exactly those events, with the seeds' keys", () => {
    expect(subscribed.map((e) => e.type)).toEqual(['ROLLBACK_COMPLETED']);
    expect(subscribed[0]!.data).toMatchObject({ version_id: 'v2', verification_passed: true });
  });

  it('`ratchet evolve events --type` filters by type or glob, and refuses a typo', () => {
    const [globbed, two, bad] = eventsCli;
    expect(globbed!.code, globbed!.stderr).toBe(0);
    const types = (JSON.parse(globbed!.stdout) as EvolutionEvent[]).map((e) => e.type);
    expect(types.length).toBeGreaterThan(0);
    expect(types.every((t) => t.startsWith('ROLLBACK_'))).toBe(true);
    expect(types).toContain('ROLLBACK_VERIFICATION_PASSED');
    expect((JSON.parse(two!.stdout) as EvolutionEvent[]).map((e) => e.type)).toEqual([
      'VERSION_ACCEPTED',
      'ROLLBACK_COMPLETED',
    ]);
    expect(bad!.code).toBe(2);
    expect(bad!.stderr).toMatch(/--type ROLBACK_\*: matches no event type/);
  });

  it("the cycle's own sink with types got only those", () => {
    const got = readFileSync(sinkFile, 'utf8')
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as EvolutionEvent).type);
    expect(got).toContain('ROLLBACK_COMPLETED');
    expect(got).toContain('VERSION_ACCEPTED');
    expect(got.every((t) => t === 'ROLLBACK_COMPLETED' || t.startsWith('VERSION_'))).toBe(true);
  });

  it('a sink with types gets only those, and its cursor passes the rest', async () => {
    const file = path.join(env.tempDir('ratchet-sinktypes-'), 'rollbacks.jsonl');
    const logFile = eventLogFile(run.dataDir, run.result.moduleId, run.result.workflowId);
    const all = await readEventLog(logFile);
    const { deliveredSeq } = await deliverEvents(run.dataDir, {
      moduleId: run.result.moduleId,
      cycleId: run.result.workflowId,
      afterSeq: 0,
      sink: { kind: 'jsonl', path: file, types: ['CASCADING_*', 'ROLLBACK_COMPLETED'] },
    });
    expect(deliveredSeq).toBe(all.at(-1)!.seq);
    const got = readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as EvolutionEvent);
    expect(got.map((e) => e.type)).toEqual(['ROLLBACK_COMPLETED']);
  });

  it('keeps the metric history per module, and `versions show` prints what a version was judged on', async () => {
    const history = await readMetricHistory(run.dataDir, run.result.moduleId);
    expect(history.map((h) => [h.version, h.testsPassed, h.failure])).toEqual([
      ['v2', true, null],
      ['v3', false, expect.any(String)],
    ]);
    expect(history[0]!.metricNames.sort()).toEqual(['execution_time', 'pass_rate']);

    const json = await cli('versions', 'show', run.result.moduleId, 'v2', '--json');
    expect(json.code, json.stderr).toBe(0);
    const shown = JSON.parse(json.stdout) as {
      version: { status: string; parentVersion: string };
      evaluations: Array<{ testsPassed: boolean; metricNames: string[] }>;
      events: EvolutionEvent[];
    };
    expect(shown.version).toMatchObject({ status: 'active', parentVersion: 'v1' });
    expect(shown.evaluations[0]!.testsPassed).toBe(true);
    expect(shown.events.map((e) => e.type)).toContain('VERSION_ACCEPTED');

    const text = await cli('versions', 'show', run.result.moduleId, 'v3');
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/v3 {2}rolled_back/);
    expect(text.stdout).toMatch(/tests failed/);

    for (const args of [['v9'], ['../v1'], ['x']]) {
      const bad = await cli('versions', 'show', run.result.moduleId, ...args);
      expect(bad.code, args.join(' ')).toBe(2);
    }
    expect((await cli('versions', 'show', '../etc', 'v1')).code).toBe(2);
    // The iteration records the values it judged; only accepted versions feed the judge's history.
    expect(Object.keys(history[0]!.metrics).sort()).toEqual(['execution_time', 'pass_rate']);
    const judged = await loadJudgeHistory(run.dataDir, { moduleId: run.result.moduleId });
    expect(judged).toHaveLength(1);
    expect(Object.keys(judged[0]!).sort()).toEqual(['execution_time', 'pass_rate']);
  });

  it('`ratchet evolve stats` counts rollbacks, their success rate and the time to a verdict', async () => {
    const res = await cli('evolve', 'stats', run.result.moduleId, '--json');
    expect(res.code, res.stderr).toBe(0);
    const stats = JSON.parse(res.stdout);
    expect(stats).toMatchObject({
      moduleId: run.result.moduleId,
      cycles: 1,
      iterations: 2,
      evaluations: 2,
      accepted: 1,
      checkpointsCreated: 2,
      checkpoints: { total: 3, live: 3 },
      rollbacks: { total: 1, succeeded: 1, failed: 0, successRate: 1, direct: 1 },
      cascades: { started: 0, completed: 0 },
      recoveries: { started: 0, completed: 0 },
      verifications: { passed: 1, failed: 0 },
      verdicts: 2,
    });
    expect(stats.averageTimeToVerdictMs).toBeGreaterThan(0);
    const all = await cli('evolve', 'stats', '--json');
    expect(JSON.parse(all.stdout).total).toMatchObject({ cycles: 1, rollbacks: { total: 1 } });
    const table = await cli('evolve', 'stats');
    expect(table.stdout).toMatch(/seedsafety\s+1\s+2\s+1\s+3\/3\s+1\/1\s+100\.0 %/);
    expect((await cli('evolve', 'stats', '../x')).code).toBe(2);
  });

  it('autoCleanup keeps at most maxCheckpoints, never what retention protects', async () => {
    const store = new CheckpointStore(run.dataDir);
    const id = (v: string) => `${run.result.moduleId}@${v}`;
    // v2 is active and v1 its ancestor (no stable yet): beyond the count, both protected; v3 is the newest.
    const first = await autoCleanup(run.dataDir, {
      moduleId: run.result.moduleId,
      maxCheckpoints: 1,
    });
    expect(first.removed).toEqual([]);
    expect(first.protected.map((p) => p.checkpointId).sort()).toEqual([id('v1'), id('v2')]);
    // A newer checkpoint pushes the rolled-back v3 out of the count: v3 goes, v1 and v2 stay.
    await createCheckpoint(store, { workspace: run.workspace, moduleId: run.result.moduleId });
    const second = await autoCleanup(run.dataDir, {
      moduleId: run.result.moduleId,
      maxCheckpoints: 1,
    });
    expect(second.removed).toEqual([id('v3')]);
    const lineage = await getLineage(store, run.result.moduleId);
    expect(lineage.map((v) => [v.version, v.status, v.pruned === true])).toEqual([
      ['v1', 'accepted', false],
      ['v2', 'active', false],
      ['v3', 'rolled_back', true],
      ['v4', 'accepted', false],
    ]);
    expect(existsSync(store.manifestFile(run.result.moduleId, 'v3'))).toBe(false);
    expect(existsSync(store.manifestFile(run.result.moduleId, 'v2'))).toBe(true);
  });
});

describe('switch values the cycle cannot honour', () => {
  let env: TestEnv;
  beforeAll(async () => {
    env = await createTestEnv();
  });
  afterAll(async () => env?.teardown());

  it('are refused at start with the key named, exit 2, nothing started', async () => {
    const dir = env.tempDir('ratchet-switches-');
    const config = path.join(dir, 'evolve.json');
    for (const [key, value, message] of [
      ['autoCheckpoint', false, 'autoCheckpoint: false is refused'],
      ['maxCheckpoints', 5, 'maxCheckpoints applies only with autoCleanup: true'],
    ] as const) {
      writeFileSync(config, JSON.stringify({ [key]: value }));
      const res = await runCli(
        [
          'evolve',
          'start',
          '--workspace',
          dir,
          '--mutator',
          'true',
          '--test',
          'true',
          '--config',
          config,
        ],
        { TEMPORAL_ADDRESS: env.address, RATCHET_DATA_DIR: path.join(dir, 'data') },
      );
      expect(res.code, key).toBe(2);
      expect(res.stderr).toContain(`${key}: ${message}`);
    }
    expect(existsSync(path.join(dir, 'data'))).toBe(false);
  });
});
