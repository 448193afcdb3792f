/**
 * `npm run cluster:setup`: what `npm run test:cluster` needs, ahead of time —
 * Debian's PostgreSQL (apt-get, as root or through sudo), and the Temporal
 * server + SQL tool built with Go into ~/.cache/ratchet (the slow part).
 */
import { spawnSync } from 'node:child_process';
import { homedir } from 'node:os';
import path from 'node:path';
import { findPostgresBin } from './postgres';
import { ensureServerBinaries } from './serverBuild';

function installPostgres(): void {
  if (findPostgresBin()) return;
  const root = process.getuid?.() === 0;
  const apt = (args: string[]) =>
    spawnSync(root ? 'apt-get' : 'sudo', root ? args : ['-n', 'apt-get', ...args], {
      stdio: 'inherit',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    }).status === 0;
  process.stderr.write('Installing PostgreSQL (apt-get install -y postgresql)…\n');
  if (
    !apt(['update', '-qq']) ||
    !apt(['install', '-y', '-qq', 'postgresql']) ||
    !findPostgresBin()
  ) {
    throw new Error('could not install PostgreSQL: run `apt-get install -y postgresql` as root');
  }
}

async function main(): Promise<void> {
  installPostgres();
  process.stderr.write(`PostgreSQL: ${findPostgresBin()}\n`);
  const bins = await ensureServerBinaries({
    cacheDir: process.env.RATCHET_CACHE_DIR ?? path.join(homedir(), '.cache', 'ratchet'),
    onProgress: (line) => process.stderr.write(`${line}\n`),
  });
  process.stderr.write(
    `Temporal server: ${bins.server}\nSQL tool: ${bins.sqlTool}${bins.built ? ` (built in ${bins.buildSeconds}s)` : ' (cached)'}\n`,
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`cluster:setup: ${(err as Error).message}\n`);
  process.exit(1);
});
