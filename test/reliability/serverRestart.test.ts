/**
 * The Temporal server itself goes down in the middle of a saga: a dev server
 * on its own SQLite file is stopped while an agent creation waits in its
 * health check, the agent comes alive meanwhile, and the server is started
 * again on the same file and port. The worker and the run carry on: the
 * creation completes, exactly as an undisturbed one does, and deletes clean.
 */
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { withFaults } from '../../client/faults';
import { deleteAgent } from '../../client/operations';
import { startLocalTemporal, type LocalTemporal } from '../../server/localTemporal';
import { freePort } from '../../server/ports';
import type { OperationOutcome } from '../../domain/operations';
import { agentCreate } from '../../workflows/agents';
import { createTestEnv, type TestEnv } from '../helpers';
import { makeRepo } from '../operations/support';
import { startWorker, type KillableWorker } from '../support/workerProcess';
import { agentWholeProblems, leftoversOf } from './world';

describe('server restart', () => {
  let env: TestEnv;
  beforeAll(async () => {
    env = await createTestEnv(); // only for temp dirs: this test runs its own server
  });
  afterAll(async () => env?.teardown());

  it.each([
    ['completed', []],
    ['compensated', [{ activity: 'checkAgentHealth', mode: 'permanent', phase: 'after' }]],
  ] as const)(
    'a saga survives its server being stopped and started again on the same database (%s)',
    async (expected, faults) => {
      const root = env.tempDir('ratchet-restart-');
      const dataDir = path.join(root, 'data');
      const repo = makeRepo(root);
      const port = await freePort();
      const serverOptions = {
        cacheDir: process.env.RATCHET_CACHE_DIR ?? path.join(homedir(), '.cache', 'ratchet'),
        port,
        headless: true,
        dbFilename: path.join(root, 'temporal.sqlite'),
      };
      let server: LocalTemporal = await startLocalTemporal(serverOptions);
      let worker: KillableWorker | undefined;
      const connections: Connection[] = [];
      const clientOf = async () => {
        const c = await Connection.connect({ address: server.address });
        connections.push(c);
        return new Client({ connection: c });
      };
      try {
        const taskQueue = 'restart';
        worker = await startWorker({
          address: server.address,
          bundlePath: inject('workflowBundlePath'),
          taskQueue,
          dataDir,
        });
        const alive = path.join(root, 'alive');
        // The agent heartbeats only once told to: the saga waits in its health check meanwhile.
        const command = `until [ -e '${alive}' ]; do sleep 0.1; done; while :; do touch "$RATCHET_HEARTBEAT_FILE"; sleep 0.5; done`;
        const workflowId = `agent-create-restart-${Date.now().toString(36)}`;
        await withFaults(await clientOf(), [...faults]).workflow.start(agentCreate, {
          taskQueue,
          workflowId,
          args: [{ name: 'restart', repo, command, healthTimeoutMs: 90_000 } as never],
        });
        const agents = path.join(dataDir, 'agents');
        const pidWritten = () =>
          existsSync(agents) &&
          readdirSync(agents).some((d) => existsSync(path.join(agents, d, 'pid')));
        await expect.poll(pidWritten, { timeout: 60_000 }).toBe(true);

        await server.stop();
        writeFileSync(alive, ''); // the health check's condition comes true while the server is down
        server = await startLocalTemporal(serverOptions);

        const client = await clientOf();
        const handle = client.workflow.getHandle(workflowId);
        const outcome = await handle.result().then(
          (o) => o as OperationOutcome,
          (err: unknown) =>
            (err as { cause?: { details?: unknown[] } }).cause?.details?.[0] as OperationOutcome,
        );
        expect(outcome.status).toBe(expected);
        const id = String(outcome.resources.agentId);
        if (expected === 'completed') {
          expect(await agentWholeProblems(dataDir, id, 'restart', repo)).toEqual([]);
          expect((await deleteAgent(client, taskQueue, id)).status).toBe('completed');
        } else {
          expect(outcome.cleanupCompleteness).toBe(100);
        }
        expect(await leftoversOf(dataDir, id, repo)).toEqual([]);
      } finally {
        await worker?.stop();
        for (const c of connections) await c.close().catch(() => undefined);
        await server.stop();
      }
    },
    170_000,
  );
});
