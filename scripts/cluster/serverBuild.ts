/**
 * Finds (or builds) a full Temporal server and Temporal's own SQL schema tool,
 * the way server/temporalCli.ts builds the CLI: `go install` from the Go module
 * proxy, once, into ~/.cache/ratchet, with progress. The version is the server
 * the CLI we use embeds (its go.mod requires go.temporal.io/server v1.29.1), so
 * a cluster behaves like the dev server every other test runs on.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { findGo, GoInstallFailed, goInstall, isExecutable } from '../../server/goInstall';

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
  progress(
    `Building Temporal server + SQL tool ${TEMPORAL_SERVER_VERSION} with Go into ${dir} (first run only; 10-40 min on 2 busy cores)…`,
  );
  let seconds: number;
  try {
    seconds = await goInstall({
      go,
      packages: [
        `${PACKAGES.server.pkg}@${TEMPORAL_SERVER_VERSION}`,
        `${PACKAGES.sqlTool.pkg}@${TEMPORAL_SERVER_VERSION}`,
      ],
      dir,
      binaries: [
        { built: 'server', name: PACKAGES.server.name },
        { built: PACKAGES.sqlTool.built, name: PACKAGES.sqlTool.name },
      ],
      label: 'the Temporal server',
      env,
      nice: true,
      onProgress: progress,
    });
  } catch (err) {
    if (err instanceof GoInstallFailed) throw new ServerBuildFailed(err.message);
    throw err;
  }
  progress(`Temporal server built in ${seconds}s: ${dir}`);
  return {
    server: path.join(dir, PACKAGES.server.name),
    sqlTool: path.join(dir, PACKAGES.sqlTool.name),
    built: true,
    buildSeconds: seconds,
  };
}
