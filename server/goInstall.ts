/**
 * `go install` of Temporal's own binaries into ratchet's cache, as the
 * Temporal CLI (server/temporalCli.ts) and the cluster's server
 * (scripts/cluster/serverBuild.ts) are built: from the Go module proxy, into a
 * private staging dir renamed into place, so a concurrent run never sees half
 * a binary, with progress for a build that takes minutes.
 */
import { spawn } from 'node:child_process';
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

export class GoInstallFailed extends Error {
  override name = 'GoInstallFailed';
}

export function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export function onPath(name: string, env: NodeJS.ProcessEnv): string | undefined {
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

/** The Go toolchain: on PATH, else where Go's tarball installs it. */
export function findGo(env: NodeJS.ProcessEnv): string | undefined {
  return (
    onPath('go', env) ?? (isExecutable('/usr/local/go/bin/go') ? '/usr/local/go/bin/go' : undefined)
  );
}

export interface GoInstall {
  go: string;
  /** `module/pkg@version`, built in one `go install`. */
  packages: string[];
  /** Where the binaries land. */
  dir: string;
  /** `go install`'s binary name (the package dir) → the name kept in `dir`. */
  binaries: ReadonlyArray<{ built: string; name: string }>;
  /** What is built, for progress lines ("the Temporal CLI"). */
  label: string;
  env: NodeJS.ProcessEnv;
  /** Run under `nice -n 10`, so the machine stays usable through a long build. */
  nice?: boolean;
  onProgress?: (line: string) => void;
}

/** Builds and renames the binaries into `dir`; resolves with the build's seconds. */
export async function goInstall(options: GoInstall): Promise<number> {
  const { env, go } = options;
  const progress = options.onProgress ?? (() => undefined);
  mkdirSync(options.dir, { recursive: true });
  const staging = mkdtempSync(path.join(options.dir, '.build-'));
  const started = Date.now();
  const seconds = () => Math.round((Date.now() - started) / 1000);
  const args = ['install', ...options.packages];
  const niced = options.nice && isExecutable('/usr/bin/nice');
  try {
    await new Promise<void>((resolve, reject) => {
      const child = spawn(niced ? '/usr/bin/nice' : go, niced ? ['-n', '10', go, ...args] : args, {
        env: {
          ...env,
          GOBIN: staging,
          GOFLAGS: [env.GOFLAGS, '-buildvcs=false'].filter(Boolean).join(' '),
        },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let tail = '';
      let downloads = 0;
      child.stderr.setEncoding('utf8');
      child.stderr.on('data', (chunk: string) => {
        tail = (tail + chunk).slice(-8000);
        downloads += chunk.split('\n').filter((l) => l.startsWith('go: downloading')).length;
      });
      const ticker = setInterval(() => {
        progress(
          `  …still building ${options.label} (${seconds()}s${downloads ? `, ${downloads} Go modules downloaded` : ''})`,
        );
      }, 20_000);
      ticker.unref();
      child.on('error', (err) => {
        clearInterval(ticker);
        reject(new GoInstallFailed(`go install could not start: ${err.message}`));
      });
      child.on('close', (code, signal) => {
        clearInterval(ticker);
        if (code === 0) resolve();
        else
          reject(
            new GoInstallFailed(
              `go install failed (${code ?? signal}) after ${seconds()}s:\n${tail.trim()}`,
            ),
          );
      });
    });
    for (const { built, name } of options.binaries) {
      const from = path.join(staging, built);
      if (!existsSync(from)) throw new GoInstallFailed(`go install produced no ${built} binary`);
      renameSync(from, path.join(options.dir, name));
    }
    return seconds();
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}
