/**
 * A throwaway PostgreSQL for the cluster test: Debian's `postgresql` package,
 * a fresh cluster (initdb) in a temp dir, on a free loopback port, trust auth
 * (loopback only, gone when the test ends). PostgreSQL refuses to run as root,
 * so as root it runs as the package's `postgres` user.
 */
import { spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execaModule } from '../../activities/infra/execa';
import { freePort } from '../../server/ports';

export class PostgresNotInstalled extends Error {
  override name = 'PostgresNotInstalled';
}

/** The newest installed server's bin dir (/usr/lib/postgresql/<major>/bin). */
export function findPostgresBin(root = '/usr/lib/postgresql'): string | undefined {
  if (!existsSync(root)) return undefined;
  const majors = readdirSync(root)
    .filter((v) => /^\d+$/.test(v) && existsSync(path.join(root, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return majors[0] ? path.join(root, majors[0], 'bin') : undefined;
}

export interface Postgres {
  host: string;
  port: number;
  user: string;
  dir: string;
  /** Stops the server (fast shutdown) and removes its directory. */
  stop(): Promise<void>;
}

/** `runuser -u postgres --` when we are root: initdb and postgres refuse root. */
function asUnprivileged(): { prefix: string[]; uid?: number; gid?: number } {
  if (process.getuid?.() !== 0) return { prefix: [] };
  const id = (flag: string) =>
    Number(spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' }).stdout.trim());
  const uid = id('-u');
  if (!Number.isInteger(uid) || uid <= 0) {
    throw new PostgresNotInstalled('running as root, but there is no `postgres` user to run as');
  }
  return { prefix: ['runuser', '-u', 'postgres', '--'], uid, gid: id('-g') };
}

export async function startPostgres(
  options: { onProgress?: (line: string) => void } = {},
): Promise<Postgres> {
  const bin = findPostgresBin();
  if (!bin) {
    throw new PostgresNotInstalled(
      'PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb): run `npm run cluster:setup` or `apt-get install -y postgresql`',
    );
  }
  const { execa } = await execaModule();
  const user = asUnprivileged();
  const dir = mkdtempSync(path.join(tmpdir(), 'ratchet-pg-'));
  if (user.uid !== undefined) chownSync(dir, user.uid, user.gid ?? user.uid);
  const data = path.join(dir, 'data');
  const run = (cmd: string, args: string[]) => {
    const [file, ...argv] = [...user.prefix, path.join(bin, cmd), ...args];
    return execa(file!, argv, { stdin: 'ignore', all: true });
  };
  const port = await freePort();
  try {
    await run('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8']);
    // Sockets in our dir (not /var/run/postgresql, which may not exist); TCP on loopback only.
    await run('pg_ctl', [
      '-D',
      data,
      '-l',
      path.join(dir, 'postgres.log'),
      '-w',
      '-t',
      '60',
      '-o',
      `-p ${port} -h 127.0.0.1 -k ${dir} -c fsync=off -c max_connections=200`,
      'start',
    ]);
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  options.onProgress?.(`PostgreSQL (${bin}) on 127.0.0.1:${port}, data in ${data}`);
  let stopped = false;
  return {
    host: '127.0.0.1',
    port,
    user: 'postgres',
    dir,
    async stop() {
      if (stopped) return;
      stopped = true;
      await run('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop']).catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
