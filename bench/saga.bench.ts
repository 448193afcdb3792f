/**
 * The cost of the saga engine: a 10-step saga that fails at its last step
 * (10 steps + 10 compensations through the engine) against the same 10 step
 * activities and 10 compensation activities called plainly, on one real
 * server in one run. Prints the ratio of median wall times.
 */
import { homedir } from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { startLocalTemporal } from '../server/localTemporal';
import { freePort } from '../server/ports';
import { medianMs, ratioLine } from './support';

const STEPS = 10;
const RUNS = 15;

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const server = await startLocalTemporal({
    cacheDir: process.env.RATCHET_CACHE_DIR ?? path.join(homedir(), '.cache', 'ratchet'),
    port: await freePort(),
    headless: true,
  });
  const connection = await Connection.connect({ address: server.address });
  const native = await NativeConnection.connect({ address: server.address });
  try {
    const taskQueue = 'bench-saga';
    const worker = await Worker.create({
      connection: native,
      taskQueue,
      workflowsPath: path.join(__dirname, 'sagaWorkflows.ts'),
      activities: {
        async benchStep(_i: number, fail: boolean) {
          if (fail) throw ApplicationFailure.nonRetryable('step failed', 'BenchFailure');
        },
        async benchUndo() {},
      },
    });
    const client = new Client({ connection });
    let n = 0;
    const run = (type: 'sagaRun' | 'plainRun') =>
      client.workflow.execute(type, {
        taskQueue,
        workflowId: `bench-${type}-${n++}`,
        args: [STEPS],
      });
    await worker.runUntil(async () => {
      await run('sagaRun'); // warm up both paths
      await run('plainRun');
      const saga: number[] = [];
      const plain: number[] = [];
      // Interleaved, so drift in the machine's load hits both alike.
      for (let i = 0; i < RUNS; i++) {
        saga.push(await medianMs(1, () => run('sagaRun')));
        plain.push(await medianMs(1, () => run('plainRun')));
      }
      const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
      console.log(
        `saga engine: ${STEPS} steps failing at the last, ${RUNS} runs each (median wall time, ms)`,
      );
      console.log(
        ratioLine(
          'saga vs plain calls',
          median(saga),
          median(plain),
          'close to 1×: the engine adds no round trips',
        ),
      );
    });
  } finally {
    await native.close();
    await connection.close();
    await server.stop();
  }
}

void main();
