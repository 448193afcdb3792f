/**
 * A ratchet worker in its own process with the product's metrics wiring: the
 * SDK's Prometheus exporter (workers/runtime.ts's options) and the gauge
 * refresher (workers/metrics.ts), computed once before it reports ready —
 * as `ratchet worker` does. Env: RATCHET_TEST_ADDRESS, RATCHET_TEST_TASK_QUEUE,
 * RATCHET_TEST_DATA_DIR, RATCHET_TEST_BUNDLE, RATCHET_TEST_METRICS_ADDRESS,
 * RATCHET_TEST_GAUGE_INTERVAL_MS.
 */
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { startGaugeRefresher } from '../../workers/metrics';
import { prometheusMetrics } from '../../workers/runtime';
import { createRatchetWorker } from '../../workers/worker';

async function main(): Promise<void> {
  const env = (name: string) => {
    const value = process.env[name];
    if (!value) throw new Error(`${name} is required`);
    return value;
  };
  Runtime.install({
    logger: new DefaultLogger('ERROR'),
    shutdownSignals: ['SIGTERM'],
    telemetryOptions: { metrics: prometheusMetrics(env('RATCHET_TEST_METRICS_ADDRESS')) },
  });
  const address = env('RATCHET_TEST_ADDRESS');
  const taskQueue = env('RATCHET_TEST_TASK_QUEUE');
  const dataDir = env('RATCHET_TEST_DATA_DIR');
  const connection = await NativeConnection.connect({ address });
  const clientConnection = await Connection.connect({ address });
  const gauges = startGaugeRefresher({
    client: new Client({ connection: clientConnection }),
    taskQueue,
    dataDir,
    meter: Runtime.instance().metricMeter,
    intervalMs: Number(process.env.RATCHET_TEST_GAUGE_INTERVAL_MS ?? 15_000),
    onError: (err) => process.stderr.write(`gauges: ${String(err)}\n`),
  });
  const worker = await createRatchetWorker({
    connection,
    namespace: 'default',
    taskQueue,
    activityDeps: { dataDir },
    workflowBundle: { codePath: env('RATCHET_TEST_BUNDLE') },
    overrides: { shutdownGraceTime: '1 second' },
  });
  await gauges.first;
  process.stdout.write('worker-ready\n');
  await worker.run();
  gauges.stop();
  await clientConnection.close();
  await connection.close();
}

main().catch((err: unknown) => {
  process.stderr.write(`${String((err as Error)?.stack ?? err)}\n`);
  process.exit(1);
});
