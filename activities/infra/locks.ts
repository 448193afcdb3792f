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

/** Runs `fn` holding the lock on `target` (which need not exist). */
export async function withFileLock<T>(
  target: string,
  fn: () => Promise<T>,
  options: LockOptions = {},
): Promise<T> {
  const lockfilePath = lockPathOf(target, options);
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
