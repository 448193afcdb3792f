/**
 * Seed 001 on the real server with real agents: the rollback audit trail
 * (levels, each compensation, rollback_duration_ms, counts) persisted as JSON
 * lines and shown by `ratchet agent audit`; the drift check that compares
 * files, processes and worktrees — against compensations that lie (report
 * success, remove nothing) and fail; deletes that report what they left;
 * the temporary-file cleanup (priority 60); and RollbackStateError when the
 * snapshot is invalid. Faults come from activity overrides on the worker.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ApplicationFailure, WorkflowFailedError } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../../activities';
import { auditFile } from '../../activities/agents/audit';
import { Registry } from '../../activities/agents/registry';
import { createAgent, deleteAgent } from '../../client/operations';
import type { AuditRecord } from '../../domain/rollbackAudit';
import { agentCreate } from '../../workflows/agents';
import { createTestEnv, taskQueueFor, type TestEnv } from '../helpers';
import { makeRepo } from '../operations/support';
import { withFaults } from '../../client/faults';
import { stepFault } from '../../domain/faults';
import { runCli } from './inProcessCli';

describe('rollback audit, drift and snapshots (seed 001)', () => {
  let env: TestEnv;
  let root: string;
  let repo: string;
  let taskQueue: string;
  beforeAll(async () => {
    env = await createTestEnv();
    root = env.tempDir('ratchet-seed001-');
    repo = makeRepo(root);
    taskQueue = taskQueueFor('seed-001');
  });
  afterAll(async () => env?.teardown());

  type Acts = ReturnType<typeof createActivities>;
  /** A worker whose activities are the real ones, some replaced. */
  const withWorker = async <T>(
    dataDir: string,
    replace: (real: Acts) => Partial<Acts>,
    fn: () => Promise<T>,
  ): Promise<T> => {
    const real = createActivities({ dataDir, taskQueue });
    const worker = await env.createWorker(
      taskQueue,
      { dataDir },
      { activities: { ...real, ...replace(real) } },
    );
    return worker.runUntil(fn);
  };
  const audit = async (dataDir: string, ...args: string[]) => {
    const res = await runCli(['agent', 'audit', ...args, '--json'], { RATCHET_DATA_DIR: dataDir });
    expect(res.code, res.stderr).toBe(0);
    return JSON.parse(res.stdout) as AuditRecord[];
  };

  it('audits a rollback whose compensations lie and fail: levels, counts, duration, drift, CRITICAL', async () => {
    const dataDir = path.join(env.tempDir('ratchet-seed001-data-'), 'data');
    const outcome = await withWorker(
      dataDir,
      () => ({
        // Lies: says it removed the agent folder, removes nothing.
        removeAgentFolder: () => Promise.resolve(),
        // Fails for good.
        removeAgentState: () =>
          Promise.reject(
            ApplicationFailure.create({
              type: 'DiskGone',
              message: 'disk gone',
              nonRetryable: true,
            }),
          ),
      }),
      () =>
        createAgent(
          env.client,
          taskQueue,
          { name: 'liar', repo },
          { faults: [stepFault('agent', 'spawn_process', 'permanent')] },
        ),
    );
    const agentId = String(outcome.resources.agentId);
    expect(outcome.status).toBe('compensation_incomplete');
    // The real world is compared, not only the registry: the folder the lie left is reported.
    expect(outcome.registryDrift).toEqual([
      `file: ${path.join(dataDir, 'agents', agentId)} is still there (dir)`,
    ]);

    const records = await audit(dataDir, outcome.workflowId);
    expect(records.map((r) => [r.level, r.operation])).toEqual([
      ['WARNING', 'agent_creation_rollback_start'],
      ...outcome.compensations.map((c) => [
        c.status === 'failed' ? 'ERROR' : 'INFO',
        `rollback_action_${c.actionType}`,
      ]),
      ['WARNING', 'agent_creation_rollback_complete'],
      ['CRITICAL', 'agent_creation_rollback_critical_failure'],
    ]);
    expect(records.find((r) => r.operation === 'rollback_action_remove_state')).toMatchObject({
      level: 'ERROR',
      success: false,
      error_message: expect.stringMatching(/disk gone/),
      metadata: { action_priority: 70 },
    });
    const complete = records.find((r) => r.operation.endsWith('_complete'))!;
    expect(complete.metadata).toMatchObject({
      successful_actions: outcome.compensations.length - 1,
      failed_actions: 1,
      rollback_duration_ms: expect.any(Number),
    });
    // Persisted as JSON lines under the data dir; filtering by level and by agent id works.
    const lines = readFileSync(auditFile(dataDir), 'utf8').trim().split('\n');
    expect(lines).toHaveLength(records.length);
    expect((await audit(dataDir, agentId, '--level', 'critical')).map((r) => r.level)).toEqual([
      'CRITICAL',
    ]);
    expect((await runCli(['agent', 'audit', '--level', 'LOUD'])).code).toBe(2);
  });

  it('removes temporary files on rollback (priority 60), and reports a delete that left something', async () => {
    const dataDir = path.join(env.tempDir('ratchet-seed001-data-'), 'data');
    const scratch = path.join(env.tempDir('ratchet-seed001-tmp-'), 'agent-tmp');
    const sock = path.join(scratch, 'agent.sock');
    const cache = path.join(scratch, 'cache');
    mkdirSync(scratch);
    const outcome = await withWorker(
      dataDir,
      () => ({}),
      () =>
        createAgent(env.client, taskQueue, {
          name: 'tmpfiles',
          // Makes its temporary files, then never heartbeats: the health check fails the creation.
          command: `touch '${sock}' && mkdir -p '${cache}/deep' && touch '${cache}/deep/x' && exec sleep 60`,
          tempFiles: [sock, cache],
          healthTimeoutMs: 2000,
        }),
    );
    expect(outcome.status).toBe('compensated');
    expect(
      outcome.compensations.find((c) => c.actionType === 'remove_temporary_files'),
    ).toMatchObject({ priority: 60, status: 'succeeded' });
    expect([existsSync(sock), existsSync(cache)]).toEqual([false, false]);
    expect(existsSync(scratch)).toBe(true); // only what was listed
    expect(outcome.registryDrift).toEqual([]);
    const audited = await audit(dataDir, outcome.workflowId);
    expect(audited.at(-1)).toMatchObject({ level: 'INFO', success: true });

    // A delete whose folder removal lies: the delete says what it left, and is not "completed".
    const created = await withWorker(
      dataDir,
      () => ({}),
      () => createAgent(env.client, taskQueue, { name: 'keeper', repo }),
    );
    const id = String(created.resources.agentId);
    const deleted = await withWorker(
      dataDir,
      () => ({ removeAgentFolder: () => Promise.resolve() }),
      () => deleteAgent(env.client, taskQueue, id),
    );
    expect(deleted.status).toBe('compensation_incomplete');
    expect(deleted.registryDrift).toEqual([
      `file: ${path.join(dataDir, 'agents', id)} is still there (dir)`,
    ]);
  });

  it('refuses to compensate against an invalid snapshot with RollbackStateError, and audits it CRITICAL', async () => {
    const dataDir = path.join(env.tempDir('ratchet-seed001-data-'), 'data');
    const err = await withWorker(
      dataDir,
      (real) => ({
        snapshotOperation: async (input) => ({
          ...(await real.snapshotOperation(input)),
          operationId: '',
        }),
      }),
      async () => {
        const faulty = withFaults(env.client, [
          stepFault('agent', 'create_session_dir', 'permanent'),
        ]);
        const handle = await faulty.workflow.start(agentCreate, {
          taskQueue,
          workflowId: `agent-create-badsnap-${Date.now().toString(36)}`,
          args: [{ name: 'badsnap' } as never],
        });
        return handle.result().catch((e: unknown) => e);
      },
    );
    expect(err).toBeInstanceOf(WorkflowFailedError);
    const cause = (err as WorkflowFailedError).cause as ApplicationFailure;
    expect(cause.type).toBe('RollbackStateError');
    expect(cause.message).toMatch(/operationId is empty/);
    // Refused means untouched: the reserved record and the quota booking are still there.
    const state = await new Registry(dataDir).read();
    expect(Object.keys(state.agents)).toHaveLength(1);
    expect(Object.keys(state.allocations)).toHaveLength(1);
    const records = await audit(dataDir);
    expect(records.map((r) => r.level)).toEqual(['WARNING', 'CRITICAL']);
    expect(records[1]!.error_message).toMatch(/^RollbackStateError: refusing to compensate/);
  });
});
