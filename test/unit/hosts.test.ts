/** Host routing's pure parts (domain/hosts.ts, config/hosts.ts) and the client's owner stamp. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { TypedSearchAttributes } from '@temporalio/common';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createActivities } from '../../activities';
import { ownerInterceptor } from '../../client/hosts';
import { hostIdOf, hostOwnerOf } from '../../config/hosts';
import { loadSettings } from '../../config/settings';
import {
  defaultHostId,
  HOST_MEMO_KEY,
  HostId,
  hostOfQueue,
  hostQueue,
  isHostBound,
  ownerFromMemo,
  SHARED_ACTIVITIES,
} from '../../domain/hosts';
import { HOST_KEY } from '../../domain/searchAttributes';

const validId = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/);

describe('host queues', () => {
  it('names a host queue after the shared one, and reads the host back from it', () => {
    expect(hostQueue('ratchet', 'build-1')).toBe('ratchet@build-1');
    fc.assert(
      fc.property(validId, (id) => {
        expect(hostOfQueue('ratchet', hostQueue('ratchet', id))).toBe(id);
      }),
    );
    expect(hostOfQueue('ratchet', 'ratchet')).toBeNull();
    expect(hostOfQueue('ratchet', 'other@a')).toBeNull();
    expect(hostOfQueue('ratchet', 'ratchet@../a')).toBeNull();
  });

  it('refuses host ids that could climb out of a name or hide in one', () => {
    for (const bad of ['', 'a b', '../x', 'a/b', '-a', '.a', 'a'.repeat(64), 'a\nb', 'é']) {
      expect(HostId.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    }
  });
});

describe('which activities are host-bound', () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'ratchet-hosts-unit-'));
  const names = Object.keys(createActivities({ dataDir, taskQueue: 'q' }));
  rmSync(dataDir, { recursive: true, force: true });

  it('lists as shared only activities that exist, and keeps every other one on its host', () => {
    for (const name of SHARED_ACTIVITIES) expect(names).toContain(name);
    const bound = names.filter(isHostBound);
    expect(bound.length).toBe(names.length - SHARED_ACTIVITIES.size);
    for (const local of [
      'createCheckpoint',
      'restoreCheckpoint',
      'runMutator',
      'spawnAgentProcess',
    ]) {
      expect(bound).toContain(local);
    }
    expect(isHostBound('someActivityAddedLater')).toBe(true);
  });
});

describe('the owner in a memo', () => {
  it('reads a well-formed owner and ignores anything else (a hostile memo routes nowhere new)', () => {
    const owner = { id: 'host-a', waitForHostMs: 3000 };
    expect(ownerFromMemo({ [HOST_MEMO_KEY]: owner })).toEqual(owner);
    for (const memo of [
      undefined,
      {},
      { [HOST_MEMO_KEY]: 'host-a' },
      { [HOST_MEMO_KEY]: { id: '../etc', waitForHostMs: 1 } },
      { [HOST_MEMO_KEY]: { id: 'a', waitForHostMs: -1 } },
      { [HOST_MEMO_KEY]: { id: 'a', waitForHostMs: 1, queue: 'elsewhere' } },
    ]) {
      expect(ownerFromMemo(memo as Record<string, unknown> | undefined)).toBeUndefined();
    }
  });
});

describe('the default host id', () => {
  it('is a valid id for any hostname, stable, and differs per data dir', () => {
    fc.assert(
      fc.property(fc.string(), fc.stringMatching(/^[0-9a-f]{64}$/), (name, digest) => {
        const id = defaultHostId(name, digest);
        expect(HostId.safeParse(id).success).toBe(true);
        expect(defaultHostId(name, digest)).toBe(id);
      }),
    );
    const a = hostIdOf({ dataDir: '/srv/a' });
    expect(hostIdOf({ dataDir: '/srv/a' })).toBe(a);
    expect(hostIdOf({ dataDir: '/srv/b' })).not.toBe(a);
    expect(hostIdOf({ dataDir: '/srv/a', hostId: 'chosen' })).toBe('chosen');
  });

  it('comes from settings, with the wait, and a bad one names the setting', () => {
    const cwd = mkdtempSync(path.join(tmpdir(), 'ratchet-hosts-settings-'));
    try {
      const s = loadSettings({
        env: { RATCHET_HOST_ID: 'build-2', RATCHET_HOST_WAIT_SECONDS: '30' },
        cwd,
      });
      expect(hostOwnerOf(s)).toEqual({ id: 'build-2', waitForHostMs: 30_000 });
      expect(loadSettings({ env: {}, cwd }).hostWaitSeconds).toBe(600);
      expect(() => loadSettings({ env: { RATCHET_HOST_ID: 'a/b' }, cwd })).toThrow(
        /hostId \(from RATCHET_HOST_ID\)/,
      );
      expect(() => loadSettings({ env: { RATCHET_HOST_WAIT_SECONDS: '0' }, cwd })).toThrow(
        /hostWaitSeconds \(from RATCHET_HOST_WAIT_SECONDS\)/,
      );
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
  });
});

describe('the owner stamp on starts', () => {
  const owner = { id: 'host-a', waitForHostMs: 1000 };
  type Start = NonNullable<ReturnType<typeof ownerInterceptor>['start']>;
  const startWith = async (options: Record<string, unknown>) => {
    let seen: Record<string, unknown> | undefined;
    const start = ownerInterceptor(owner).start as Start;
    await start(
      { workflowType: 'w', headers: {}, options } as unknown as Parameters<Start>[0],
      async (i) => {
        seen = i.options as unknown as Record<string, unknown>;
        return 'run-id';
      },
    );
    return seen!;
  };

  it('records the owner in the memo and the RatchetHost attribute, keeping what the start set', async () => {
    const seen = await startWith({ memo: { other: 1 }, typedSearchAttributes: [] });
    expect(seen.memo).toEqual({ other: 1, [HOST_MEMO_KEY]: owner });
    expect(seen.typedSearchAttributes).toEqual([{ key: HOST_KEY, value: 'host-a' }]);
    const typed = (await startWith({ typedSearchAttributes: new TypedSearchAttributes() }))
      .typedSearchAttributes as TypedSearchAttributes;
    expect(typed.get(HOST_KEY)).toBe('host-a');
  });

  it('keeps an owner the start chose itself, and refuses a malformed one', async () => {
    const chosen = { id: 'host-b', waitForHostMs: 5 };
    expect((await startWith({ memo: { [HOST_MEMO_KEY]: chosen } })).memo).toEqual({
      [HOST_MEMO_KEY]: chosen,
    });
    expect(() => ownerInterceptor({ id: 'a b', waitForHostMs: 1 })).toThrow(/id/);
  });
});
