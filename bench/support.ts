/** What benchmarks share: a real Temporal server and a worker, and ratio printing. */
import { homedir } from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import {
  DefaultLogger,
  NativeConnection,
  Runtime,
  type Worker,
  type WorkerOptions,
} from '@temporalio/worker';
import { startLocalTemporal } from '../server/localTemporal';
import { freePort } from '../server/ports';
import { createRatchetWorker } from '../workers/worker';
import type { ActivityDeps } from '../activities';

export interface BenchTemporal {
  client: Client;
  worker: Worker;
  taskQueue: string;
}

/** Starts a throwaway dev server and a worker, runs `fn` while the worker runs, tears down. */
export async function withTemporal<T>(
  deps: Omit<ActivityDeps, 'taskQueue'>,
  fn: (t: BenchTemporal) => Promise<T>,
  /** Extra worker options (e.g. a profiling interceptor). */
  overrides?: Partial<WorkerOptions>,
): Promise<T> {
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const server = await startLocalTemporal({
    cacheDir: process.env.RATCHET_CACHE_DIR ?? path.join(homedir(), '.cache', 'ratchet'),
    port: await freePort(),
    headless: true,
    onProgress: (l) => console.error(l),
  });
  const connection = await Connection.connect({ address: server.address });
  const native = await NativeConnection.connect({ address: server.address });
  try {
    const taskQueue = `bench-${Date.now().toString(36)}`;
    const worker = await createRatchetWorker({
      connection: native,
      namespace: 'default',
      taskQueue,
      activityDeps: deps,
      overrides,
    });
    const client = new Client({ connection });
    return await worker.runUntil(fn({ client, worker, taskQueue }));
  } finally {
    await native.close();
    await connection.close();
    await server.stop();
  }
}

/** Median wall time in ms of `runs` calls of fn. */
export async function medianMs(runs: number, fn: () => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await fn();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

export function ratioLine(label: string, value: number, baseline: number, goal?: string): string {
  const ratio = value / baseline;
  return `${label}: ${value.toFixed(1)} vs ${baseline.toFixed(1)} → ${ratio.toFixed(2)}×${goal ? `  (goal ${goal})` : ''}`;
}
