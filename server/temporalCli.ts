/**
 * Finds (or builds) the Temporal CLI, whose `server start-dev` is the real
 * Temporal server ratchet runs on locally and in tests.
 *
 * Resolution order: TEMPORAL_CLI_PATH → `temporal` on PATH → the cache under
 * cacheDir → `go install` from the Go module proxy into the cache. The SDK's own
 * download (TestWorkflowEnvironment.createLocal) is the caller's last resort,
 * because it needs a website these machines cannot reach.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { findGo, GoInstallFailed, goInstall, isExecutable, onPath } from './goInstall';

/** The newest CLI tag whose go.mod has no `replace` directive, so `go install pkg@version` works. */
export const TEMPORAL_CLI_VERSION = 'v1.5.1';
export const TEMPORAL_CLI_MODULE = 'github.com/temporalio/cli/cmd/temporal';

export type CliSource = 'env' | 'path' | 'cache' | 'go-build';

export interface ResolvedCli {
  path: string;
  source: CliSource;
}

export class TemporalCliNotFound extends Error {
  override name = 'TemporalCliNotFound';
}

export interface ResolveOptions {
  cacheDir: string;
  env?: NodeJS.ProcessEnv;
  /** Build with Go when nothing else is found. @default true */
  build?: boolean;
  /** Progress lines for anything slow (the Go build takes minutes on 2 cores). */
  onProgress?: (line: string) => void;
}

export function cachedCliPath(cacheDir: string): string {
  return path.join(cacheDir, `temporal-${TEMPORAL_CLI_VERSION}`, 'temporal');
}

/** Resolves without building: env, PATH, cache. */
export function findTemporalCli(
  cacheDir: string,
  env: NodeJS.ProcessEnv = process.env,
): ResolvedCli | undefined {
  const fromEnv = env.TEMPORAL_CLI_PATH;
  if (fromEnv) {
    if (!isExecutable(fromEnv)) {
      throw new TemporalCliNotFound(`TEMPORAL_CLI_PATH=${fromEnv} is not an executable file`);
    }
    return { path: fromEnv, source: 'env' };
  }
  const found = onPath('temporal', env);
  if (found) return { path: found, source: 'path' };
  const cached = cachedCliPath(cacheDir);
  if (isExecutable(cached)) return { path: cached, source: 'cache' };
  return undefined;
}

export async function resolveTemporalCli(options: ResolveOptions): Promise<ResolvedCli> {
  const env = options.env ?? process.env;
  const found = findTemporalCli(options.cacheDir, env);
  if (found) return found;
  if (options.build === false) {
    throw new TemporalCliNotFound(notFoundMessage(options.cacheDir, 'building was disabled'));
  }
  return { path: await buildWithGo(options.cacheDir, env, options.onProgress), source: 'go-build' };
}

function notFoundMessage(cacheDir: string, why: string): string {
  return [
    `Temporal CLI not found (${why}).`,
    'Install one of:',
    `  - Go 1.22+ (ratchet then builds it: go install ${TEMPORAL_CLI_MODULE}@${TEMPORAL_CLI_VERSION})`,
    '  - the Temporal CLI on PATH, or TEMPORAL_CLI_PATH=/path/to/temporal',
    `It is cached at ${cachedCliPath(cacheDir)} once built.`,
  ].join('\n');
}

/** Builds the CLI with Go into the cache (server/goInstall.ts). */
async function buildWithGo(
  cacheDir: string,
  env: NodeJS.ProcessEnv,
  onProgress: (line: string) => void = () => undefined,
): Promise<string> {
  const go = findGo(env);
  if (!go || spawnSync(go, ['version'], { env }).status !== 0) {
    throw new TemporalCliNotFound(notFoundMessage(cacheDir, 'no Go toolchain to build it with'));
  }
  const target = cachedCliPath(cacheDir);
  onProgress(
    `Building Temporal CLI ${TEMPORAL_CLI_VERSION} with Go into ${path.dirname(target)} (first run only; a few minutes on 2 cores)…`,
  );
  try {
    const seconds = await goInstall({
      go,
      packages: [`${TEMPORAL_CLI_MODULE}@${TEMPORAL_CLI_VERSION}`],
      dir: path.dirname(target),
      binaries: [{ built: 'temporal', name: 'temporal' }],
      label: 'the Temporal CLI',
      env,
      onProgress,
    });
    onProgress(`Temporal CLI built in ${seconds}s: ${target}`);
    return target;
  } catch (err) {
    if (err instanceof GoInstallFailed) throw new TemporalCliNotFound(err.message);
    throw err;
  }
}
