/**
 * Issue 17 (seed 001's audit trail, for deletes): a delete is a compensation
 * of everything, so it writes the same audit records as a rollback — start,
 * one per teardown, complete with `rollback_duration_ms` and counts — and a
 * delete that leaves something behind is audited as not successful, with the
 * difference named.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../../activities';
import { createAgent, createSession, deleteAgent, deleteSession } from '../../client/operations';
import type { AuditRecord } from '../../domain/rollbackAudit';
import { createTestEnv, taskQueueFor, type TestEnv } from '../helpers';
import { makeRepo } from '../operations/support';
import { runCli } from './inProcessCli';

describe('deletes are audited', () => {
  let env: TestEnv;
  let repo: string;
  let dataDir: string;
  const taskQueue = taskQueueFor('delete-audit');
  beforeAll(async () => {
    env = await createTestEnv();
    const root = env.tempDir('ratchet-delaudit-');
    repo = makeRepo(root);
    dataDir = path.join(root, 'data');
  });
  afterAll(async () => env?.teardown());

  type Acts = ReturnType<typeof createActivities>;
  const withWorker = async <T>(replace: Partial<Acts>, fn: () => Promise<T>): Promise<T> => {
    const real = createActivities({ dataDir, taskQueue });
    const worker = await env.createWorker(
      taskQueue,
      { dataDir },
      { activities: { ...real, ...replace } },
    );
    return worker.runUntil(fn);
  };
  const audit = async (id: string) => {
    const res = await runCli(['agent', 'audit', id, '--json'], { RATCHET_DATA_DIR: dataDir });
    expect(res.code, res.stderr).toBe(0);
    return JSON.parse(res.stdout) as AuditRecord[];
  };

  it('a clean agent and session delete: start, each teardown, complete with duration and counts', async () => {
    const { agent, session } = await withWorker({}, async () => ({
      agent: await createAgent(env.client, taskQueue, { name: 'gone', repo }),
      session: await createSession(env.client, taskQueue, { name: 'gone-s', repo }),
    }));
    const agentId = String(agent.resources.agentId);
    const sessionId = String(session.resources.sessionId);
    const [deletedAgent, deletedSession] = await withWorker({}, async () => [
      await deleteAgent(env.client, taskQueue, agentId),
      await deleteSession(env.client, taskQueue, sessionId),
    ]);
    expect(deletedAgent.status).toBe('completed');
    expect(existsSync(path.join(dataDir, 'agents', agentId))).toBe(false);

    const records = await audit(deletedAgent.workflowId);
    expect(records[0]).toMatchObject({
      operation: 'agent_deletion_rollback_start',
      resource_id: agentId,
      metadata: { total_actions: deletedAgent.compensations.length },
    });
    expect(records.filter((r) => r.operation.startsWith('rollback_action_')).length).toBe(
      deletedAgent.compensations.length,
    );
    const complete = records.at(-1)!;
    expect(complete).toMatchObject({
      operation: 'agent_deletion_rollback_complete',
      level: 'INFO',
      success: true,
      metadata: {
        successful_actions: deletedAgent.compensations.length,
        failed_actions: 0,
        drift: [],
      },
    });
    expect(complete.metadata.rollback_duration_ms).toEqual(expect.any(Number));

    const sessionRecords = await audit(deletedSession.workflowId);
    expect(sessionRecords.at(-1)).toMatchObject({
      operation: 'session_deletion_rollback_complete',
      resource_id: sessionId,
      success: true,
    });
  });

  it('a delete whose teardown lies is audited as not successful, naming what is left', async () => {
    const created = await withWorker({}, () =>
      createAgent(env.client, taskQueue, { name: 'liar', repo }),
    );
    const id = String(created.resources.agentId);
    const deleted = await withWorker({ removeAgentFolder: () => Promise.resolve() }, () =>
      deleteAgent(env.client, taskQueue, id),
    );
    expect(deleted.status).toBe('compensation_incomplete');
    const complete = (await audit(deleted.workflowId)).at(-1)!;
    expect(complete).toMatchObject({
      operation: 'agent_deletion_rollback_complete',
      level: 'WARNING',
      success: false,
      error_message: '1 difference(s) left',
      metadata: { drift: [`file: ${path.join(dataDir, 'agents', id)} is still there (dir)`] },
    });
  });
});
