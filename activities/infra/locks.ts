/**
 * Cross-process file locks on `proper-lockfile`: an atomic `mkdir` lock whose
 * holder refreshes its mtime, so a lock left by a SIGKILLed process goes
 * stale after `staleMs` and is taken over, with no pid bookkeeping of ours.
 *
 *   await withFileLock(registryFile, async () => { ...read-modify-write... });
 */
import { mkdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import lockfile from 'proper-lockfile';

export interface LockOptions {
  /** The lock directory. @default `${target}.lock` */
  lockPath?: string;
  /** Give up after this long. @default 10 minutes */
  timeoutMs?: number;
  /** A lock not refreshed for this long is abandoned (its holder died). @default 10000 */
  staleMs?: number;
  /** Called while waiting (activities heartbeat here). */
  onWait?: () => void;
}

export const DEFAULT_STALE_MS = 10_000;

export function lockPathOf(target: string, options: LockOptions = {}): string {
  return options.lockPath ?? `${target}.lock`;
}

/**
 * Waiters in this process, per lock, in arrival order. Hundreds of activities
 * of one worker wanting the registry lock at once used to poll the lock
 * directory each on its own backoff: a stampede of mkdir calls, served in no
 * order (a p99 of a minute for a few milliseconds of work under load). Now
 * they line up here and only the head of the line polls the file lock, which
 * still arbitrates between processes (the CLI, other workers).
 */
const lines = new Map<string, Promise<void>>();

async function inLine<T>(
  key: string,
  fn: () => Promise<T>,
  options: { timeoutMs: number; onWait?: () => void },
): Promise<T> {
  const ahead = lines.get(key) ?? Promise.resolve();
  let leave!: () => void;
  const mine = new Promise<void>((resolve) => (leave = resolve));
  const tail = ahead.then(() => mine);
  lines.set(key, tail);
  try {
    // Leaving the line early (a timeout) keeps the order: those behind still wait for `ahead`.
    let timer: NodeJS.Timeout | undefined;
    const ticker = setInterval(() => options.onWait?.(), 1_000);
    try {
      await Promise.race([
        ahead,
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () =>
              reject(new Error(`timed out after ${options.timeoutMs} ms waiting for lock ${key}`)),
            options.timeoutMs,
          );
        }),
      ]);
    } finally {
      clearInterval(ticker);
      clearTimeout(timer);
    }
    return await fn();
  } finally {
    leave();
    if (lines.get(key) === tail) lines.delete(key);
  }
}

/** Runs `fn` holding the lock on `target` (which need not exist). */
export async function withFileLock<T>(
  target: string,
  fn: () => Promise<T>,
  options: LockOptions = {},
): Promise<T> {
  const lockfilePath = lockPathOf(target, options);
  const timeoutMs = options.timeoutMs ?? 10 * 60_000;
  return inLine(lockfilePath, () => holdFileLock(target, lockfilePath, fn, options), {
    timeoutMs,
    ...(options.onWait ? { onWait: options.onWait } : {}),
  });
}

async function holdFileLock<T>(
  target: string,
  lockfilePath: string,
  fn: () => Promise<T>,
  options: LockOptions,
): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 10 * 60_000;
  const started = Date.now();
  await mkdir(path.dirname(lockfilePath), { recursive: true });
  let compromised: Error | undefined;
  let release: (() => Promise<void>) | undefined;
  let wait = 2;
  while (!release) {
    try {
      release = await lockfile.lock(target, {
        lockfilePath,
        realpath: false,
        stale: options.staleMs ?? DEFAULT_STALE_MS,
        retries: 0,
        // The default throws from a timer and takes the whole worker down; note it instead.
        onCompromised: (err) => {
          compromised = err;
        },
      });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ELOCKED') throw err;
      if (Date.now() - started > timeoutMs) {
        throw new Error(`timed out after ${timeoutMs} ms waiting for lock ${lockfilePath}`);
      }
      options.onWait?.();
      await delay(wait + Math.random() * wait);
      wait = Math.min(wait * 2, 100);
    }
  }
  try {
    const result = await fn();
    if (compromised) throw new Error(`lock ${lockfilePath} was lost: ${compromised.message}`);
    return result;
  } finally {
    await release().catch(() => undefined); // a compromised lock is no longer ours to release
  }
}

/** A lock directory nobody has refreshed for `staleMs`: its holder is gone (the janitor's test). */
export async function isStaleLock(lockPath: string, staleMs = DEFAULT_STALE_MS): Promise<boolean> {
  try {
    const s = await stat(lockPath);
    return s.isDirectory() && Date.now() - s.mtimeMs > staleMs;
  } catch {
    return false;
  }
}

export async function removeStaleLock(
  lockPath: string,
  staleMs = DEFAULT_STALE_MS,
): Promise<boolean> {
  if (!(await isStaleLock(lockPath, staleMs))) return false;
  await rm(lockPath, { recursive: true, force: true });
  return true;
}
