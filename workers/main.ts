/**
 * A standalone worker process (the Docker image's entry point, and what you
 * run next to a real cluster): connects with the configured settings and
 * serves the task queue until SIGINT/SIGTERM.
 */
import { NativeConnection } from '@temporalio/worker';
import { describeSandbox, detectSandbox } from '../activities/infra/sandbox';
import { createLogger } from '../config/logger';
import { loadSettings } from '../config/settings';
import { Client, Connection } from '@temporalio/client';
import { ensureSearchAttributes } from '../client/admin';
import { connectionOptions, nativeConnectionOptions } from '../client/connection';
import { startWorkerGauges } from './metrics';
import { installRuntime } from './runtime';
import { hostIdOf } from '../config/hosts';
import { HostId } from '../domain/hosts';
import { createHostedWorkers } from './hosted';

export interface RunWorkerOptions {
  /** Serve this host (`ratchet worker --host ID`) instead of the configured or derived one. */
  hostId?: string;
}

export async function runWorker(options: RunWorkerOptions = {}): Promise<void> {
  const loaded = loadSettings();
  const settings = options.hostId ? { ...loaded, hostId: HostId.parse(options.hostId) } : loaded;
  const logger = createLogger(settings, 'ratchet-worker');
  installRuntime(settings, logger);
  // A fresh cluster (docker compose) lacks ratchet's search attributes until someone adds them.
  const admin = await Connection.connect(connectionOptions(settings));
  const added = await ensureSearchAttributes(admin, settings.temporal.namespace);
  if (added.length) logger.info({ added }, 'registered search attributes');
  const connection = await NativeConnection.connect(nativeConnectionOptions(settings));
  // Two queues: the shared one, and this host's own for the runs it owns (issue 14).
  const worker = await createHostedWorkers({
    connection,
    namespace: settings.temporal.namespace,
    taskQueue: settings.taskQueue,
    activityDeps: { dataDir: settings.dataDir },
    hostId: hostIdOf(settings),
  });
  logger.info(
    {
      address: settings.temporal.address,
      taskQueue: settings.taskQueue,
      hostId: worker.hostId,
      hostQueue: worker.hostQueue,
    },
    'worker polling',
  );
  const sandbox = describeSandbox(await detectSandbox());
  if (sandbox.ok) logger.info({ sandbox: sandbox.detail }, 'candidate commands run sandboxed');
  else logger.warn({ sandbox: sandbox.detail }, 'CANDIDATE COMMANDS ARE NOT SANDBOXED');
  const gauges = startWorkerGauges(
    settings,
    new Client({ connection: admin, namespace: settings.temporal.namespace }),
    logger,
  );
  // Gauges are right from the first scrape after a restart.
  await gauges?.first;
  await worker.run();
  gauges?.stop();
  await connection.close();
  await admin.close();
}

if (require.main === module) {
  runWorker().catch((err: unknown) => {
    process.stderr.write(`ratchet worker: ${String((err as Error)?.stack ?? err)}\n`);
    process.exit(1);
  });
}
