/**
 * A ratchet worker in its own process, so a test can SIGKILL it mid-run and
 * start another (test/support/workerProcess.ts starts it): RATCHET_TEST_ADDRESS,
 * RATCHET_TEST_TASK_QUEUE, RATCHET_TEST_DATA_DIR, RATCHET_TEST_BUNDLE (and
 * RATCHET_TEST_HOST_ID). Faults come with the runs, as fault-plan headers the
 * worker's own interceptor reads.
 */
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { createHostedWorkers } from '../../workers/hosted';
import { createRatchetWorker } from '../../workers/worker';

async function main(): Promise<void> {
  const env = (name: string) => {
    const value = process.env[name];
    if (!value) throw new Error(`${name} is required`);
    return value;
  };
  Runtime.install({ logger: new DefaultLogger('ERROR'), shutdownSignals: ['SIGTERM'] });
  const connection = await NativeConnection.connect({ address: env('RATCHET_TEST_ADDRESS') });
  const options = {
    connection,
    namespace: 'default',
    taskQueue: env('RATCHET_TEST_TASK_QUEUE'),
    activityDeps: { dataDir: env('RATCHET_TEST_DATA_DIR') },
    workflowBundle: { codePath: env('RATCHET_TEST_BUNDLE') },
    overrides: { shutdownGraceTime: '1 second' },
  };
  // RATCHET_TEST_HOST_ID: one host of a cluster, polling its own queue too (issue 14).
  const hostId = process.env.RATCHET_TEST_HOST_ID;
  const worker = hostId
    ? await createHostedWorkers({ ...options, hostId })
    : await createRatchetWorker(options);
  process.stdout.write('worker-ready\n');
  await worker.run();
  await connection.close();
}

main().catch((err: unknown) => {
  process.stderr.write(`${String((err as Error)?.stack ?? err)}\n`);
  process.exit(1);
});
