/**
 * The worker's one metrics endpoint, scraped over HTTP: a failing agent
 * creation (compensated) and failing pipelines (rolled back; parked for an
 * operator) are counted with the catalogue's names and bounded labels; after
 * a worker restart the gauges are right on the first scrape (derived from
 * visibility and the checkpoint store), and replaying a history on the new
 * worker does not count its old events again.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { parsePipeline } from '../../activities/pipelines/load';
import { createAgent } from '../../client/operations';
import { sendPipelineAction, startPipeline } from '../../client/pipelines';
import { exportedSeriesNames, SDK_METRICS } from '../../domain/metrics';
import { freePort } from '../../server/ports';
import { stepFault } from '../../domain/faults';
import { createTestEnv, taskQueueFor, type TestEnv } from '../helpers';
import { scrape, valueOf, type Sample } from './prometheusText';

const ROOT = path.join(__dirname, '..', '..');

interface MetricsWorker {
  metrics: string;
  stop(): Promise<void>;
}

async function startMetricsWorker(taskQueue: string, dataDir: string): Promise<MetricsWorker> {
  const metrics = `127.0.0.1:${await freePort()}`;
  const child: ChildProcess = spawn(
    process.execPath,
    [path.join(ROOT, 'bin', 'run-ts.js'), path.join(__dirname, 'metricsWorker.ts')],
    {
      cwd: ROOT,
      env: {
        ...process.env,
        RATCHET_TEST_ADDRESS: inject('temporalAddress'),
        RATCHET_TEST_TASK_QUEUE: taskQueue,
        RATCHET_TEST_DATA_DIR: dataDir,
        RATCHET_TEST_BUNDLE: inject('workflowBundlePath'),
        RATCHET_TEST_METRICS_ADDRESS: metrics,
        RATCHET_TEST_GAUGE_INTERVAL_MS: '500',
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('worker-ready')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`metrics worker exited ${code} early`)));
  });
  return {
    metrics,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

describe('the worker metrics endpoint', () => {
  let env: TestEnv;
  let taskQueue: string;
  let dataDir: string;
  const workers: MetricsWorker[] = [];
  const suffix = Math.random().toString(36).slice(2, 8);
  const rolledBackModule = `scrape-rollback-${suffix}`;
  const parkedModule = `scrape-parked-${suffix}`;

  beforeAll(async () => {
    env = await createTestEnv();
    taskQueue = taskQueueFor('scrape');
    dataDir = path.join(env.tempDir('ratchet-scrape-'), 'data');
  });
  afterAll(async () => {
    for (const w of workers) await w.stop();
    await env?.teardown();
  });

  const workspace = (name: string) => {
    const dir = path.join(env.tempDir('ratchet-scrape-ws-'), name);
    mkdirSync(dir);
    writeFileSync(path.join(dir, 'app.txt'), 'app\n');
    return dir;
  };
  // The SDK labels workflow metrics with namespace, taskQueue and workflowType.
  const mine = { taskQueue: '' };

  it('counts sagas, compensations, pipeline failures, recoveries and rollbacks by bounded labels', async () => {
    mine.taskQueue = taskQueue;
    const a = await startMetricsWorker(taskQueue, dataDir);
    workers.push(a);

    const agent = await createAgent(
      env.client,
      taskQueue,
      { name: 'scraped' },
      { faults: [stepFault('agent', 'spawn_process', 'permanent')] },
    );
    expect(agent.status).toBe('compensated');

    const rolledBack = await startPipeline(env.client, taskQueue, {
      pipeline: parsePipeline(`name: ${rolledBackModule}
recovery: { test_failure: [ROLLBACK] }
steps:
  - { name: build, run: "true", kind: build }
  - { name: test, run: "echo '1 failing' >&2; exit 1", kind: test }
`),
      workspace: workspace('rollback'),
      lane: 'standard',
    });
    expect((await rolledBack.result()).status).toBe('rolled_back');

    const parked = await startPipeline(env.client, taskQueue, {
      pipeline: parsePipeline(`name: ${parkedModule}
recovery: { test_failure: [MANUAL] }
steps:
  - { name: test, run: "echo '1 failing' >&2; exit 1", kind: test }
`),
      workspace: workspace('parked'),
      lane: 'standard',
    });
    parkedId = parked.workflowId;

    let samples: Sample[] = [];
    await expect
      .poll(
        async () => {
          samples = await scrape(a.metrics);
          return valueOf(samples, 'ratchet_version_pending_approvals');
        },
        { timeout: 60_000, interval: 300 },
      )
      .toBe(1);

    expect(
      valueOf(samples, 'ratchet_saga_operations_total', {
        ...mine,
        operation: 'agent.create',
        outcome: 'compensated',
      }),
    ).toBe(1);
    for (const c of agent.compensations) {
      expect(
        valueOf(samples, 'ratchet_saga_compensations_total', {
          ...mine,
          action_type: c.actionType,
          outcome: c.status,
        }),
        c.actionType,
      ).toBe(1);
      expect(
        valueOf(samples, 'ratchet_saga_compensation_duration_seconds_count', {
          ...mine,
          action_type: c.actionType,
        }),
      ).toBe(1);
    }
    expect(
      valueOf(samples, 'ratchet_version_rollbacks_total', {
        ...mine,
        module_id: rolledBackModule,
        reason: 'TEST_FAILURE',
      }),
    ).toBe(1);
    expect(
      valueOf(samples, 'ratchet_pipeline_failures_total', {
        ...mine,
        failure_type: 'test_failure',
      }),
    ).toBe(2);
    expect(
      valueOf(samples, 'ratchet_pipeline_recoveries_total', {
        ...mine,
        strategy: 'ROLLBACK',
        outcome: 'succeeded',
      }),
    ).toBe(1);
    // start + build for the rolled-back pipeline, start for the parked one
    expect(
      valueOf(samples, 'ratchet_version_checkpoints_total', {
        ...mine,
        module_id: rolledBackModule,
      }),
    ).toBe(2);
    expect(
      valueOf(samples, 'ratchet_saga_cleanup_completeness', { operation: 'agent.create' }),
    ).toBe(100);
    expect(valueOf(samples, 'ratchet_version_lineage_depth', { module_id: rolledBackModule })).toBe(
      2,
    );
    expect(valueOf(samples, 'ratchet_cycles_needing_attention')).toBe(0);

    // Every ratchet_* series is in the catalogue, and no label carries free text.
    const known = exportedSeriesNames();
    const ours = samples.filter((s) => s.name.startsWith('ratchet_'));
    expect(ours.filter((s) => !known.has(s.name)).map((s) => s.name)).toEqual([]);
    for (const s of ours) for (const v of Object.values(s.labels)) expect(v).not.toMatch(/\s/);
    // The SDK's own metrics the alert rules use are served on the same endpoint.
    for (const name of SDK_METRICS)
      expect(
        samples.some((s) => s.name === name),
        name,
      ).toBe(true);
  });

  let parkedId = '';

  it('has the gauges right on the first scrape after a restart, and does not count replayed events again', async () => {
    await workers.pop()!.stop();
    const b = await startMetricsWorker(taskQueue, dataDir);
    workers.push(b);
    const first = await scrape(b.metrics);
    expect(valueOf(first, 'ratchet_version_pending_approvals')).toBe(1);
    expect(valueOf(first, 'ratchet_saga_cleanup_completeness', { operation: 'agent.create' })).toBe(
      100,
    );
    expect(valueOf(first, 'ratchet_version_lineage_depth', { module_id: rolledBackModule })).toBe(
      2,
    );
    expect(valueOf(first, 'ratchet_version_lineage_depth', { module_id: parkedModule })).toBe(1);

    // The parked pipeline's history is replayed on this worker when the operator aborts it:
    // its old failure is not counted again, the abort is.
    await sendPipelineAction(env.client, parkedId, 'abort');
    await env.client.workflow.getHandle(parkedId).result();
    let after: Sample[] = [];
    await expect
      .poll(
        async () => {
          after = await scrape(b.metrics);
          return valueOf(after, 'ratchet_pipeline_recoveries_total', {
            ...mine,
            strategy: 'MANUAL',
            outcome: 'failed',
          });
        },
        { timeout: 30_000, interval: 300 },
      )
      .toBe(1);
    expect(valueOf(after, 'ratchet_pipeline_failures_total', mine) ?? 0).toBe(0);
    // Visibility catches up with the closed run within a refresh or two.
    await expect
      .poll(async () => valueOf(await scrape(b.metrics), 'ratchet_version_pending_approvals'), {
        timeout: 30_000,
        interval: 300,
      })
      .toBe(0);
  });
});
