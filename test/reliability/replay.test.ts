/**
 * Recorded histories of agent and session create/delete (completed and
 * compensated), the health check and a pipeline, replayed through the current
 * workflow code: a change that would break running operations fails here.
 * RATCHET_RECORD_HISTORIES=1 re-records them (against the real server, with
 * real resources) into test/fixtures/histories/operations. The evolution
 * cycle's own replay is test/evolution/replay.test.ts.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startHealthCheck, releaseHealthCheck } from '../../client/health';
import { withFaults } from '../../client/faults';
import { startPipeline } from '../../client/pipelines';
import { parsePipeline } from '../../activities/pipelines/load';
import { agentCreate, agentDelete, sessionCreate, sessionDelete } from '../../workflows/agents';
import type { OperationOutcome } from '../../domain/operations';
import { createTestEnv, taskQueueFor, type TestEnv } from '../helpers';
import { makeRepo } from '../operations/support';

const OPERATION_HISTORIES = path.join(__dirname, '..', 'fixtures', 'histories', 'operations');
const RECORD = process.env.RATCHET_RECORD_HISTORIES === '1';

describe('replaying recorded operation histories', () => {
  let env: TestEnv;
  beforeAll(async () => {
    env = await createTestEnv();
  });
  afterAll(async () => env?.teardown());

  it.runIf(RECORD)(
    'records fresh histories',
    async () => {
      const root = env.tempDir('ratchet-record-');
      const dataDir = path.join(root, 'data');
      const repo = makeRepo(root);
      const taskQueue = taskQueueFor('record');
      mkdirSync(OPERATION_HISTORIES, { recursive: true });
      const save = async (name: string, handle: WorkflowHandle) => {
        const history = await handle.fetchHistory();
        writeFileSync(
          path.join(OPERATION_HISTORIES, `${name}.history.bin`),
          temporal.api.history.v1.History.encode(history).finish(),
        );
      };
      const settle = (h: WorkflowHandle) =>
        h.result().then(
          (o) => o as OperationOutcome,
          (e: unknown) =>
            (e as { cause?: { details?: unknown[] } }).cause?.details?.[0] as OperationOutcome,
        );
      const worker = await env.createWorker(taskQueue, { dataDir });
      await worker.runUntil(async () => {
        const start = (
          wf: typeof agentCreate | typeof sessionCreate,
          id: string,
          args: object,
          faulty = false,
        ) =>
          withFaults(
            env.client,
            faulty
              ? [
                  {
                    activity: wf === agentCreate ? 'checkAgentHealth' : 'startSessionWatcher',
                    mode: 'permanent',
                    phase: 'after',
                  },
                ]
              : undefined,
          ).workflow.start(wf, {
            taskQueue,
            workflowId: id,
            args: [args as never],
          });
        const ac = await start(agentCreate, 'agent-create-completed', { name: 'rec', repo });
        const agentId = String((await settle(ac)).resources.agentId);
        await save('agent-create-completed', ac);
        const acf = await start(
          agentCreate,
          'agent-create-compensated',
          { name: 'recf', repo },
          true,
        );
        await settle(acf);
        await save('agent-create-compensated', acf);
        const ad = await env.client.workflow.start(agentDelete, {
          taskQueue,
          workflowId: 'agent-delete',
          args: [{ agentId }],
        });
        await ad.result();
        await save('agent-delete', ad);
        const sc = await start(sessionCreate, 'session-create-completed', { name: 'rec', repo });
        const sessionId = String((await settle(sc)).resources.sessionId);
        await save('session-create-completed', sc);
        const scf = await start(
          sessionCreate,
          'session-create-compensated',
          { name: 'recf', repo },
          true,
        );
        await settle(scf);
        await save('session-create-compensated', scf);
        const sd = await env.client.workflow.start(sessionDelete, {
          taskQueue,
          workflowId: 'session-delete',
          args: [{ sessionId }],
        });
        await sd.result();
        await save('session-delete', sd);
        const health = await startHealthCheck(
          env.client,
          taskQueue,
          { holdSeconds: 30 },
          'health-held',
        );
        await expect
          .poll(async () => (await health.fetchHistory()).events?.length ?? 0)
          .toBeGreaterThan(4);
        await releaseHealthCheck(env.client, 'health-held', 'recorder');
        await health.result();
        await save('health-held', health);
        const pipeline = parsePipeline(
          'name: rec\nsteps:\n  - name: build\n    run: "true"\n  - name: test\n    run: "true"\n',
        );
        const ph = await startPipeline(env.client, taskQueue, {
          pipeline,
          workspace: repo,
          lane: 'standard',
        });
        await ph.result();
        await save('pipeline', ph);
      });
    },
    170_000,
  );

  it('replays every recorded operation deterministically', async () => {
    const files = readdirSync(OPERATION_HISTORIES)
      .filter((f) => f.endsWith('.history.bin'))
      .sort();
    expect(files.length).toBeGreaterThanOrEqual(8);
    const histories = files.map((f) => ({
      workflowId: path.basename(f, '.history.bin'),
      history: temporal.api.history.v1.History.decode(
        readFileSync(path.join(OPERATION_HISTORIES, f)),
      ),
    }));
    const failures: string[] = [];
    for await (const result of Worker.runReplayHistories(
      { workflowBundle: { codePath: inject('workflowBundlePath') } },
      histories,
    )) {
      if (result.error) failures.push(`${result.workflowId}: ${result.error.message}`);
    }
    expect(failures).toEqual([]);
  });
});
