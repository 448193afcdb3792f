/**
 * Finds (or builds) the Temporal CLI, whose `server start-dev` is the real
 * Temporal server ratchet runs on locally and in tests.
 *
 * Resolution order: TEMPORAL_CLI_PATH → `temporal` on PATH → the cache under
 * cacheDir → `go install` from the Go module proxy into the cache. The SDK's own
 * download (TestWorkflowEnvironment.createLocal) is the caller's last resort,
 * because it needs a website these machines cannot reach.
 */
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
import { execaModule } from '../activities/infra/execa';

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

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function onPath(name: string, env: NodeJS.ProcessEnv): string | undefined {
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
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

/**
 * Builds the CLI into a private temp dir, then renames it into the cache, so a
 * concurrent build (a test run next to `ratchet dev`) never sees half a binary.
 */
async function buildWithGo(
  cacheDir: string,
  env: NodeJS.ProcessEnv,
  onProgress: (line: string) => void = () => undefined,
): Promise<string> {
  const go =
    onPath('go', env) ??
    (isExecutable('/usr/local/go/bin/go') ? '/usr/local/go/bin/go' : undefined);
  const { execa } = await execaModule();
  const goWorks =
    go && (await execa(go, ['version'], { env, extendEnv: false, reject: false })).exitCode === 0;
  if (!go || !goWorks) {
    throw new TemporalCliNotFound(notFoundMessage(cacheDir, 'no Go toolchain to build it with'));
  }
  const target = cachedCliPath(cacheDir);
  mkdirSync(path.dirname(target), { recursive: true });
  const staging = mkdtempSync(path.join(path.dirname(target), '.build-'));
  onProgress(
    `Building Temporal CLI ${TEMPORAL_CLI_VERSION} with Go into ${path.dirname(target)} (first run only; a few minutes on 2 cores)…`,
  );
  const started = Date.now();
  const ticker = setInterval(() => {
    onProgress(
      `  …still building the Temporal CLI (${Math.round((Date.now() - started) / 1000)}s)`,
    );
  }, 20_000);
  ticker.unref();
  try {
    let tail = '';
    let downloads = 0;
    const child = execa(go, ['install', `${TEMPORAL_CLI_MODULE}@${TEMPORAL_CLI_VERSION}`], {
      env: {
        ...env,
        GOBIN: staging,
        GOFLAGS: [env.GOFLAGS, '-buildvcs=false'].filter(Boolean).join(' '),
      },
      extendEnv: false,
      stdin: 'ignore',
      stdout: 'ignore',
      buffer: false,
      reject: false,
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      tail = (tail + chunk).slice(-8000);
      downloads += chunk.split('\n').filter((l) => l.startsWith('go: downloading')).length;
    });
    const progress = setInterval(() => {
      if (downloads > 0) onProgress(`  …${downloads} Go modules downloaded`);
    }, 20_000);
    progress.unref();
    const result = await child.finally(() => clearInterval(progress));
    if (result.exitCode !== 0) {
      throw new TemporalCliNotFound(
        `go install failed (${result.exitCode ?? result.signal ?? result.message}):\n${tail.trim()}`,
      );
    }
    const built = path.join(staging, 'temporal');
    if (!existsSync(built))
      throw new TemporalCliNotFound('go install finished but produced no binary');
    renameSync(built, target);
    onProgress(`Temporal CLI built in ${Math.round((Date.now() - started) / 1000)}s: ${target}`);
    return target;
  } finally {
    clearInterval(ticker);
    rmSync(staging, { recursive: true, force: true });
  }
}
