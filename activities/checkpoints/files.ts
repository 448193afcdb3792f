/** Small file-system pieces the store needs: atomic JSON writes and a cross-process lock. */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, stat, writeFile, open } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';

/** Write to a temp file in the same directory, fsync, rename: readers see old or new, never half. */
export async function writeFileAtomic(file: string, data: string): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const handle = await open(tmp, 'w');
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(tmp, file);
}

export async function readJson<T>(file: string): Promise<T | undefined> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as T;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

export async function writeJsonAtomic(file: string, value: unknown): Promise<void> {
  await writeFileAtomic(file, `${JSON.stringify(value, null, 2)}\n`);
}

interface LockOwner {
  pid: number;
  host: string;
  acquiredAt: number;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface LockOptions {
  /** Give up after this long. @default 10 minutes */
  timeoutMs?: number;
  /** A lock this old from another host is presumed abandoned. @default 30 minutes */
  staleMs?: number;
  /** Called while waiting (activities heartbeat here). */
  onWait?: () => void;
}

/**
 * An exclusive lock between processes and within one: `mkdir` is atomic, the
 * owner file says who holds it, and a lock whose owner process died (same
 * host) or that is older than `staleMs` is broken.
 */
export async function withFileLock<T>(
  lockDir: string,
  fn: () => Promise<T>,
  options: LockOptions = {},
): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 10 * 60_000;
  const staleMs = options.staleMs ?? 30 * 60_000;
  const started = Date.now();
  let delay = 5;
  await mkdir(path.dirname(lockDir), { recursive: true });
  for (;;) {
    try {
      await mkdir(lockDir);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const owner = await readJson<LockOwner>(path.join(lockDir, 'owner.json')).catch(
      () => undefined,
    );
    const age = owner
      ? Date.now() - owner.acquiredAt
      : Date.now() - (await stat(lockDir).catch(() => ({ mtimeMs: Date.now() }))).mtimeMs;
    const dead = owner && owner.host === hostname() && !processAlive(owner.pid);
    // An owner file is written right after mkdir; give a missing one a moment before judging.
    if (dead || age > staleMs) {
      await rm(lockDir, { recursive: true, force: true });
      continue;
    }
    if (Date.now() - started > timeoutMs) {
      throw new Error(`timed out waiting for lock ${lockDir} (held by pid ${owner?.pid ?? '?'})`);
    }
    options.onWait?.();
    await new Promise((r) => setTimeout(r, delay + Math.random() * delay));
    delay = Math.min(delay * 2, 200);
  }
  const owner: LockOwner = { pid: process.pid, host: hostname(), acquiredAt: Date.now() };
  await writeFile(path.join(lockDir, 'owner.json'), JSON.stringify(owner));
  try {
    return await fn();
  } finally {
    await rm(lockDir, { recursive: true, force: true });
  }
}
