/**
 * Test helpers: a client and a worker on the run's real Temporal server, on a
 * task queue named after the test file, with activities pointed at temp dirs.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import {
  DefaultLogger,
  NativeConnection,
  Runtime,
  Worker,
  type WorkerOptions,
} from '@temporalio/worker';
import { inject } from 'vitest';
import { createActivities, type ActivityDeps } from '../activities';
import { hostIdOf } from '../config/hosts';
import { hostQueue } from '../domain/hosts';
import { faultInterceptor } from '../workers/faults/activityInterceptor';
import { createRatchetWorker } from '../workers/worker';

let runtimeInstalled = false;

function quietRuntime(): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  Runtime.install({
    logger: new DefaultLogger((process.env.RATCHET_TEST_LOG as 'WARN') ?? 'ERROR'),
  });
}

export interface TestEnv {
  address: string;
  namespace: string;
  client: Client;
  nativeConnection: NativeConnection;
  /** A fresh temp dir, removed by teardown(). */
  tempDir(prefix?: string): string;
  /** A worker on `taskQueue` running the real workflows and activities. */
  createWorker(
    taskQueue: string,
    deps?: Partial<Omit<ActivityDeps, 'taskQueue'>>,
    overrides?: Partial<WorkerOptions>,
  ): Promise<Worker>;
  teardown(): Promise<void>;
}

export async function createTestEnv(): Promise<TestEnv> {
  quietRuntime();
  const address = inject('temporalAddress');
  const namespace = 'default';
  const connection = await Connection.connect({ address });
  const nativeConnection = await NativeConnection.connect({ address });
  const dirs: string[] = [];
  const tempDir = (prefix = 'ratchet-') => {
    const dir = mkdtempSync(path.join(tmpdir(), prefix));
    dirs.push(dir);
    return dir;
  };
  return {
    address,
    namespace,
    client: new Client({ connection, namespace }),
    nativeConnection,
    tempDir,
    createWorker: async (taskQueue, deps = {}, overrides = {}) => {
      const activityDeps = { dataDir: deps.dataDir ?? tempDir('ratchet-data-'), ...deps };
      const shared = await createRatchetWorker({
        connection: nativeConnection,
        namespace,
        taskQueue,
        activityDeps,
        workflowBundle: { codePath: inject('workflowBundlePath') },
        overrides: { shutdownGraceTime: '1 second', ...overrides },
      });
      return withOwnHostQueue(
        shared,
        nativeConnection,
        namespace,
        taskQueue,
        activityDeps,
        overrides,
      );
    },
    async teardown() {
      await nativeConnection.close();
      await connection.close();
      for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A task queue unique to this test: readable in the Web UI, never shared. */
export function taskQueueFor(name: string): string {
  return `test-${name.replace(/[^a-zA-Z0-9]+/g, '-').toLowerCase()}-${Math.random().toString(36).slice(2, 8)}`;
}

/**
 * Like `ratchet dev`, a test's worker also serves the host queue of the
 * machine it runs on (issue 14), for the host id a CLI with the same data dir
 * derives: runs the CLI starts (owned by that host) find their worker. The
 * host Worker runs exactly while the shared one does (run, and so runUntil).
 */
async function withOwnHostQueue(
  shared: Worker,
  connection: NativeConnection,
  namespace: string,
  taskQueue: string,
  activityDeps: Omit<ActivityDeps, 'taskQueue'>,
  overrides: Partial<WorkerOptions>,
): Promise<Worker> {
  const queue = hostQueue(taskQueue, hostIdOf({ dataDir: path.resolve(activityDeps.dataDir) }));
  const host = await Worker.create({
    connection,
    namespace,
    taskQueue: queue,
    activities: createActivities({ ...activityDeps, taskQueue: queue }),
    interceptors: { activity: [faultInterceptor, ...(overrides.interceptors?.activity ?? [])] },
    shutdownGraceTime: '1 second',
  });
  const runShared = shared.run.bind(shared);
  shared.run = async () => {
    const hostRun = host.run();
    try {
      await runShared();
    } finally {
      if (host.getState() === 'RUNNING') host.shutdown();
      await hostRun;
    }
  };
  return shared;
}
