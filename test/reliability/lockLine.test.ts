/**
 * Waiters for a file lock in one process line up (activities/infra/locks.ts):
 * they hold it one at a time and in the order they asked, and one that gives
 * up waiting does not let anyone behind it jump the holder.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { withFileLock } from '../../activities/infra/locks';

const dir = mkdtempSync(path.join(tmpdir(), 'ratchet-lockline-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('in-process lock line', () => {
  it('serves 60 concurrent waiters one at a time, first come first served', async () => {
    const target = path.join(dir, 'registry.json');
    let holders = 0;
    let most = 0;
    const order: number[] = [];
    await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        withFileLock(target, async () => {
          most = Math.max(most, ++holders);
          order.push(i);
          await new Promise((resolve) => setImmediate(resolve));
          holders--;
        }),
      ),
    );
    expect(most).toBe(1);
    expect(order).toEqual(Array.from({ length: 60 }, (_, i) => i));
  });

  it('a waiter that times out leaves; those behind it still wait for the holder', async () => {
    const target = path.join(dir, 'store');
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const events: string[] = [];
    const holder = withFileLock(target, async () => {
      events.push('holder in');
      await held;
      events.push('holder out');
    });
    const quitter = withFileLock(target, async () => events.push('quitter in'), { timeoutMs: 50 });
    const patient = withFileLock(target, async () => events.push('patient in'));
    await expect(quitter).rejects.toThrow(/timed out/);
    release();
    await Promise.all([holder, patient]);
    expect(events).toEqual(['holder in', 'holder out', 'patient in']);
  });
});
