/**
 * A real Temporal cluster on this machine: the full server (frontend, history,
 * matching, worker services) on PostgreSQL through the postgres12 plugin, both
 * databases (persistence, visibility) created and migrated by Temporal's own
 * temporal-sql-tool with the schemas embedded in it. It can be stopped and
 * started again on the same ports and data, which is how a test restarts the
 * server mid-run.
 */
import { createWriteStream, mkdirSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time';
import { stringify } from 'yaml';
import { execaModule } from '../../activities/infra/execa';
import { ensureSearchAttributes } from '../../client/admin';
import type { Postgres } from './postgres';
import type { ServerBinaries } from './serverBuild';

const DATABASES = { persistence: 'temporal', visibility: 'temporal_visibility' } as const;
const SCHEMAS = {
  persistence: 'postgresql/v12/temporal',
  visibility: 'postgresql/v12/visibility',
} as const;

export interface TemporalCluster {
  address: string;
  namespace: string;
  /** Server output (all services), for when something goes wrong. */
  logFile: string;
  pid(): number | undefined;
  /** Graceful stop (SIGTERM), SIGKILL after a grace period. */
  stop(): Promise<void>;
  /** Starts it again on the same ports and databases; resolves when it serves the namespace. */
  start(): Promise<void>;
}

/** Creates both databases and migrates them to the newest schema the tool embeds. */
export async function setupSchemas(binaries: ServerBinaries, pg: Postgres): Promise<void> {
  const { execa } = await execaModule();
  const base = [
    '--plugin',
    'postgres12',
    '--ep',
    pg.host,
    '--port',
    String(pg.port),
    '--user',
    pg.user,
    '--password',
    '',
  ];
  for (const which of ['persistence', 'visibility'] as const) {
    const db = ['--db', DATABASES[which]];
    const tool = (...args: string[]) =>
      execa(binaries.sqlTool, [...base, ...db, ...args], { stdin: 'ignore', all: true });
    await tool('create-database');
    await tool('setup-schema', '-v', '0.0');
    await tool('update-schema', '--schema-name', SCHEMAS[which]);
  }
}

interface Ports {
  frontend: number;
  frontendHttp: number;
  frontendMembership: number;
  history: number;
  historyMembership: number;
  matching: number;
  matchingMembership: number;
  worker: number;
  workerMembership: number;
}

/** Free on loopback now, and below 32768: membership ports are stored in a smallint column. */
async function freeLowPort(taken: Set<number>): Promise<number> {
  for (let tries = 0; tries < 200; tries++) {
    const port = 10_000 + Math.floor(Math.random() * 22_000);
    if (taken.has(port)) continue;
    const free = await new Promise<boolean>((resolve) => {
      const server = net.createServer();
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
    });
    if (free) {
      taken.add(port);
      return port;
    }
  }
  throw new Error('no free port below 32768 on 127.0.0.1');
}

async function allocatePorts(): Promise<Ports> {
  const names: (keyof Ports)[] = [
    'frontend',
    'frontendHttp',
    'frontendMembership',
    'history',
    'historyMembership',
    'matching',
    'matchingMembership',
    'worker',
    'workerMembership',
  ];
  const ports = {} as Ports;
  const taken = new Set<number>();
  for (const name of names) ports[name] = await freeLowPort(taken);
  return ports;
}

function serverConfig(pg: Postgres, ports: Ports, dynamicConfigFile: string): unknown {
  const sql = (databaseName: string, maxConns: number) => ({
    sql: {
      pluginName: 'postgres12',
      databaseName,
      connectAddr: `${pg.host}:${pg.port}`,
      connectProtocol: 'tcp',
      user: pg.user,
      password: '',
      maxConns,
      maxIdleConns: maxConns,
      maxConnLifetime: '1h',
    },
  });
  const service = (grpcPort: number, membershipPort: number, extra: object = {}) => ({
    rpc: { grpcPort, membershipPort, bindOnLocalHost: true, ...extra },
  });
  return {
    log: { stdout: true, level: 'warn' },
    persistence: {
      defaultStore: 'postgres-default',
      visibilityStore: 'postgres-visibility',
      numHistoryShards: 4,
      datastores: {
        'postgres-default': sql(DATABASES.persistence, 20),
        'postgres-visibility': sql(DATABASES.visibility, 4),
      },
    },
    global: { membership: { maxJoinDuration: '30s', broadcastAddress: '127.0.0.1' } },
    services: {
      frontend: service(ports.frontend, ports.frontendMembership, { httpPort: ports.frontendHttp }),
      history: service(ports.history, ports.historyMembership),
      matching: service(ports.matching, ports.matchingMembership),
      worker: service(ports.worker, ports.workerMembership),
    },
    clusterMetadata: {
      enableGlobalNamespace: false,
      failoverVersionIncrement: 10,
      masterClusterName: 'active',
      currentClusterName: 'active',
      clusterInformation: {
        active: {
          enabled: true,
          initialFailoverVersion: 1,
          rpcName: 'frontend',
          rpcAddress: `127.0.0.1:${ports.frontend}`,
          httpAddress: `127.0.0.1:${ports.frontendHttp}`,
        },
      },
    },
    dcRedirectionPolicy: { policy: 'noop' },
    dynamicConfigClient: { filepath: dynamicConfigFile, pollInterval: '10s' },
  };
}

/**
 * Dynamic config: only what a fresh test cluster needs. Search attributes added
 * through the operator API are visible at once (not after the cache's minute),
 * as on the dev server; everything else is the stock server's.
 */
const DYNAMIC_CONFIG = {
  'system.forceSearchAttributesCacheRefreshOnRead': [{ value: true, constraints: {} }],
  'limit.maxIDLength': [{ value: 255, constraints: {} }],
};

async function waitForNamespace(
  address: string,
  namespace: string,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const connection = await Connection.connect({ address, connectTimeout: 2_000 });
      try {
        await connection.workflowService.describeNamespace({ namespace });
        // The namespace is registered; this answers only once every service and the cache agree.
        await connection.workflowService.listWorkflowExecutions({ namespace, pageSize: 1 });
        return;
      } finally {
        await connection.close();
      }
    } catch (err) {
      last = err;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  throw new Error(
    `Temporal server at ${address} did not serve namespace ${namespace} within ${timeoutMs} ms: ${String(last)}`,
  );
}

export async function startTemporalCluster(options: {
  binaries: ServerBinaries;
  postgres: Postgres;
  /** Config, logs, server root. */
  dir: string;
  namespace?: string;
  onProgress?: (line: string) => void;
}): Promise<TemporalCluster> {
  const { execa } = await execaModule();
  const namespace = options.namespace ?? 'default';
  const progress = options.onProgress ?? (() => undefined);
  const configDir = path.join(options.dir, 'config');
  mkdirSync(configDir, { recursive: true });
  const dynamicConfigFile = path.join(configDir, 'dynamicconfig.yaml');
  writeFileSync(dynamicConfigFile, stringify(DYNAMIC_CONFIG));
  const ports = await allocatePorts();
  writeFileSync(
    path.join(configDir, 'development.yaml'),
    stringify(serverConfig(options.postgres, ports, dynamicConfigFile)),
  );
  const address = `127.0.0.1:${ports.frontend}`;
  const logFile = path.join(options.dir, 'temporal-server.log');
  const log = createWriteStream(logFile, { flags: 'a' });
  let child: ReturnType<typeof execa> | undefined;

  const spawnServer = () => {
    const proc = execa(
      options.binaries.server,
      [
        '--root',
        options.dir,
        '--config',
        'config',
        '--env',
        'development',
        '--allow-no-auth',
        'start',
      ],
      { cwd: options.dir, stdin: 'ignore', buffer: false, reject: false, cleanup: true },
    );
    proc.stdout?.pipe(log, { end: false });
    proc.stderr?.pipe(log, { end: false });
    return proc;
  };

  const start = async () => {
    const proc = spawnServer();
    child = proc;
    const exited = proc.then((r) => {
      throw new Error(
        `Temporal server exited (${r.exitCode ?? r.signal}) while starting; see ${logFile}`,
      );
    });
    await Promise.race([waitForNamespace(address, namespace, 120_000), exited]).catch(
      async (err) => {
        await stop();
        throw err;
      },
    );
  };

  const stop = async () => {
    const proc = child;
    child = undefined;
    if (!proc || proc.exitCode !== null) return;
    proc.kill('SIGTERM');
    const killer = setTimeout(() => proc.kill('SIGKILL'), 20_000);
    await proc.catch(() => undefined);
    clearTimeout(killer);
  };

  // First start: register the namespace once the frontend answers, then ratchet's search attributes.
  const proc = spawnServer();
  child = proc;
  try {
    await registerNamespace(address, namespace, 120_000, () => proc.exitCode !== null, logFile);
    await waitForNamespace(address, namespace, 120_000);
    const admin = await Connection.connect({ address });
    try {
      await ensureSearchAttributes(admin, namespace);
    } finally {
      await admin.close();
    }
  } catch (err) {
    await stop();
    throw err;
  }
  progress(
    `Temporal server ${address} (PostgreSQL ${options.postgres.host}:${options.postgres.port}), log ${logFile}`,
  );
  return {
    address,
    namespace,
    logFile,
    pid: () => child?.pid,
    stop,
    start,
  };
}

async function registerNamespace(
  address: string,
  namespace: string,
  timeoutMs: number,
  exited: () => boolean,
  logFile: string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    if (exited()) throw new Error(`Temporal server exited while starting; see ${logFile}`);
    try {
      const connection = await Connection.connect({ address, connectTimeout: 2_000 });
      try {
        await connection.workflowService.registerNamespace({
          namespace,
          workflowExecutionRetentionPeriod: msToTs('1 day'),
        });
        return;
      } catch (err) {
        if ((err as { code?: number }).code === 6 /* ALREADY_EXISTS */) return;
        throw err;
      } finally {
        await connection.close();
      }
    } catch (err) {
      last = err;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  throw new Error(`could not register namespace ${namespace} at ${address}: ${String(last)}`);
}
