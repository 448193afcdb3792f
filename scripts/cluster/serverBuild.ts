/**
 * Finds (or builds) a full Temporal server and Temporal's own SQL schema tool,
 * the way server/temporalCli.ts builds the CLI: `go install` from the Go module
 * proxy, once, into ~/.cache/ratchet, with progress. The version is the server
 * the CLI we use embeds (its go.mod requires go.temporal.io/server v1.29.1), so
 * a cluster behaves like the dev server every other test runs on.
 */
import { spawn, spawnSync } from 'node:child_process';
import {
  accessSync,
  constants,
  existsSync,
  mkdirSync,
  mkdtempSync,
  renameSync,
  rmSync,
} from 'node:fs';
import path from 'node:path';

export const TEMPORAL_SERVER_VERSION = 'v1.29.1';
const MODULE = 'go.temporal.io/server';
/** go install's binary name (the package dir) → the name we cache it under. */
const PACKAGES = {
  server: { pkg: `${MODULE}/cmd/server`, name: 'temporal-server' },
  sqlTool: { pkg: `${MODULE}/cmd/tools/sql`, name: 'temporal-sql-tool', built: 'sql' },
} as const;

export interface ServerBinaries {
  server: string;
  sqlTool: string;
  /** True when this call built them. */
  built: boolean;
  buildSeconds?: number;
}

export class ServerBuildFailed extends Error {
  override name = 'ServerBuildFailed';
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export function serverCacheDir(cacheDir: string): string {
  return path.join(cacheDir, `temporal-server-${TEMPORAL_SERVER_VERSION}`);
}

export function cachedServerBinaries(cacheDir: string): ServerBinaries | undefined {
  const dir = serverCacheDir(cacheDir);
  const server = path.join(dir, PACKAGES.server.name);
  const sqlTool = path.join(dir, PACKAGES.sqlTool.name);
  return isExecutable(server) && isExecutable(sqlTool)
    ? { server, sqlTool, built: false }
    : undefined;
}

function findGo(env: NodeJS.ProcessEnv): string | undefined {
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (dir && isExecutable(path.join(dir, 'go'))) return path.join(dir, 'go');
  }
  return isExecutable('/usr/local/go/bin/go') ? '/usr/local/go/bin/go' : undefined;
}

/**
 * Cached binaries, else a build: both packages in one `go install` (they share
 * most of the server's code), niced so the machine stays usable, into a private
 * staging dir renamed into the cache, so a concurrent run never sees half a binary.
 */
export async function ensureServerBinaries(options: {
  cacheDir: string;
  env?: NodeJS.ProcessEnv;
  onProgress?: (line: string) => void;
}): Promise<ServerBinaries> {
  const cached = cachedServerBinaries(options.cacheDir);
  if (cached) return cached;
  const env = options.env ?? process.env;
  const progress = options.onProgress ?? (() => undefined);
  const go = findGo(env);
  if (!go || spawnSync(go, ['version'], { env }).status !== 0) {
    throw new ServerBuildFailed(
      `No Go toolchain to build the Temporal server with. Install Go ${'>='}1.25 (its go.mod says go 1.25.0), or put temporal-server and temporal-sql-tool ${TEMPORAL_SERVER_VERSION} in ${serverCacheDir(options.cacheDir)}.`,
    );
  }
  const dir = serverCacheDir(options.cacheDir);
  mkdirSync(dir, { recursive: true });
  const staging = mkdtempSync(path.join(dir, '.build-'));
  const started = Date.now();
  const seconds = () => Math.round((Date.now() - started) / 1000);
  progress(
    `Building Temporal server + SQL tool ${TEMPORAL_SERVER_VERSION} with Go into ${dir} (first run only; 10-40 min on 2 busy cores)…`,
  );
  const niceable = isExecutable('/usr/bin/nice');
  const args = [
    'install',
    `${PACKAGES.server.pkg}@${TEMPORAL_SERVER_VERSION}`,
    `${PACKAGES.sqlTool.pkg}@${TEMPORAL_SERVER_VERSION}`,
  ];
  try {
    await new Promise<void>((resolve, reject) => {
      const child = spawn(
        niceable ? '/usr/bin/nice' : go,
        niceable ? ['-n', '10', go, ...args] : args,
        {
          env: {
            ...env,
            GOBIN: staging,
            GOFLAGS: [env.GOFLAGS, '-buildvcs=false'].filter(Boolean).join(' '),
          },
          stdio: ['ignore', 'ignore', 'pipe'],
        },
      );
      let tail = '';
      let downloads = 0;
      child.stderr.setEncoding('utf8');
      child.stderr.on('data', (chunk: string) => {
        tail = (tail + chunk).slice(-8000);
        downloads += chunk.split('\n').filter((l) => l.startsWith('go: downloading')).length;
      });
      const ticker = setInterval(() => {
        progress(
          `  …still building the Temporal server (${seconds()}s${downloads ? `, ${downloads} Go modules downloaded` : ''})`,
        );
      }, 30_000);
      ticker.unref();
      child.on('error', (err) => {
        clearInterval(ticker);
        reject(err);
      });
      child.on('close', (code) => {
        clearInterval(ticker);
        if (code === 0) resolve();
        else
          reject(
            new ServerBuildFailed(
              `go install failed (exit ${code}) after ${seconds()}s:\n${tail.trim()}`,
            ),
          );
      });
    });
    for (const { name, built } of [
      { name: PACKAGES.server.name, built: 'server' },
      { name: PACKAGES.sqlTool.name, built: PACKAGES.sqlTool.built },
    ]) {
      const from = path.join(staging, built);
      if (!existsSync(from)) throw new ServerBuildFailed(`go install produced no ${built} binary`);
      renameSync(from, path.join(dir, name));
    }
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  progress(`Temporal server built in ${seconds()}s: ${dir}`);
  return {
    server: path.join(dir, PACKAGES.server.name),
    sqlTool: path.join(dir, PACKAGES.sqlTool.name),
    built: true,
    buildSeconds: seconds(),
  };
}
