/**
 * `ratchet dev`: the whole system on this machine — the Temporal dev server
 * (SQLite under the data dir, Web UI), ratchet's search attributes, and a
 * worker — reusing a server already listening on TEMPORAL_ADDRESS.
 */
import { createWriteStream, mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { describeSandbox, detectSandbox } from '../../activities/infra/sandbox';
import { createDevLogger } from '../../config/loggingDev';
import { uiBaseUrl, type Settings } from '../../config/settings';
import type { DevServer } from '../../server/devServer';
import { startLocalTemporal } from '../../server/localTemporal';
import { isListening } from '../../server/ports';
import { startWorkerGauges } from '../../workers/metrics';
import { installRuntime } from '../../workers/runtime';
import { hostIdOf, hostOwnerOf } from '../../config/hosts';
import { createHostedWorkers } from '../../workers/hosted';
import { ensureSearchAttributes } from '../admin';
import { ensureJanitorSchedule } from '../janitor';
import { connectionOptions, nativeConnectionOptions } from '../connection';
import { settingsFrom, type GlobalOptions } from '../context';
import { runDemo } from '../demo';
import { ExitCode, printJson, progress, progressLines } from '../output';

interface DevOptions {
  demo?: boolean;
  worker: boolean;
  verbose?: boolean;
  json?: boolean;
}

/** With --json: one object on stdout once everything is up (scripts wait for that line). */
function printReady(
  settings: Settings,
  options: DevOptions,
  details: { reusedServer: boolean; logFile?: string },
): void {
  if (!options.json) return;
  printJson({
    address: settings.temporal.address,
    namespace: settings.temporal.namespace,
    uiUrl: uiBaseUrl(settings),
    taskQueue: options.worker ? settings.taskQueue : null,
    worker: options.worker,
    reusedServer: details.reusedServer,
    ...(details.logFile ? { logFile: details.logFile } : {}),
  });
}

function isLocalAddress(address: string): boolean {
  const host = address.slice(0, address.lastIndexOf(':'));
  return ['127.0.0.1', 'localhost', '::1', '[::1]', '0.0.0.0'].includes(host);
}

async function ensureServer(settings: Settings): Promise<DevServer | undefined> {
  const address = settings.temporal.address;
  if (await isListening(address)) {
    progress(`Temporal already listening on ${address}: reusing it (no second server).`);
    return undefined;
  }
  if (!isLocalAddress(address)) {
    throw new Error(
      `nothing answers on ${address}, and ratchet only starts a dev server on this machine`,
    );
  }
  mkdirSync(settings.dataDir, { recursive: true });
  const dbFilename = path.join(settings.dataDir, 'temporal.sqlite');
  progress(`Starting Temporal dev server on ${address}, database ${dbFilename}…`);
  return startLocalTemporal({
    cacheDir: settings.cacheDir,
    // A first run builds the Temporal CLI for minutes: a spinner on a terminal, not a tick per line.
    onProgress: progressLines('building the Temporal CLI'),
    ip: address.slice(0, address.lastIndexOf(':')).replace(/^localhost$/, '127.0.0.1'),
    port: Number(address.slice(address.lastIndexOf(':') + 1)),
    uiPort: settings.uiPort,
    dbFilename,
    namespace: settings.temporal.namespace,
    logFile: createWriteStream(path.join(settings.dataDir, 'temporal-server.log'), { flags: 'a' }),
  });
}

export async function runDev(settings: Settings, options: DevOptions): Promise<number> {
  const { logger, file: logFile } = createDevLogger(settings, { verbose: options.verbose });
  const server = await ensureServer(settings);
  try {
    const connection = await Connection.connect(connectionOptions(settings));
    const added = await ensureSearchAttributes(connection, settings.temporal.namespace);
    if (added.length) progress(`Registered search attributes: ${added.join(', ')}`);
    const client = new Client({ connection, namespace: settings.temporal.namespace });
    progress(`Temporal Web UI: ${uiBaseUrl(settings)}`);
    if (!options.worker) {
      progress('Server running without a worker (--no-worker). Ctrl-C to stop.');
      printReady(settings, options, { reusedServer: !server });
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      return ExitCode.ok;
    }
    installRuntime(settings, logger);
    if (logFile) progress(`Worker logs: ${logFile} (warnings and errors here; --verbose for all)`);
    const nativeConnection = await NativeConnection.connect(nativeConnectionOptions(settings));
    // This machine's host queue too: runs the CLI starts here are owned by it (issue 14).
    const worker = await createHostedWorkers({
      connection: nativeConnection,
      namespace: settings.temporal.namespace,
      taskQueue: settings.taskQueue,
      activityDeps: { dataDir: settings.dataDir },
      hostId: hostIdOf(settings),
    });
    if (await ensureJanitorSchedule(client, settings.taskQueue, hostOwnerOf(settings))) {
      progress(
        `Created the ratchet-janitor@${worker.hostId} schedule (ratchet gc every 5 minutes).`,
      );
    }
    progress(
      `Worker polling task queues "${settings.taskQueue}" and "${worker.hostQueue}" (host ${worker.hostId}). Ctrl-C to stop.`,
    );
    const sandbox = describeSandbox(await detectSandbox());
    progress(
      sandbox.ok
        ? `Sandbox for candidate commands: ${sandbox.detail}`
        : `WARNING: candidate commands are NOT sandboxed. ${sandbox.detail}`,
    );
    // The worker shuts itself down on SIGINT/SIGTERM; run() resolves then.
    const running = worker.run();
    printReady(settings, options, { reusedServer: !server, ...(logFile ? { logFile } : {}) });
    const gauges = startWorkerGauges(settings, client, logger);
    if (options.demo) {
      runDemo(client, settings).catch((err: unknown) => {
        logger.error({ err }, 'demo failed');
      });
    }
    await running;
    gauges?.stop();
    await nativeConnection.close();
    await connection.close();
    return ExitCode.ok;
  } finally {
    if (server) {
      progress('Stopping Temporal dev server…');
      await server.stop();
    }
  }
}

export function registerDev(program: Command, globals: () => GlobalOptions): void {
  program
    .command('dev')
    .description(
      'run Temporal (dev server + Web UI on :8233, SQLite under the data dir) and a ratchet worker; reuses a server already on TEMPORAL_ADDRESS',
    )
    .option('--demo', 'also run the demo once the worker is up (what `npm start` does)')
    .option('--no-worker', 'only the server, no worker')
    .option(
      '--verbose',
      'show every worker log line on the terminal (default there: only warnings and errors; the rest goes to <dataDir>/logs/worker.log)',
    )
    .option(
      '--json',
      'once up, print the address, Web UI, task queue and log file as one JSON object',
    )
    .action(async (options: DevOptions) => {
      process.exitCode = await runDev(settingsFrom(globals()), options);
    });
}
