/**
 * The janitor's view of service copies on a real data dir (files only; the
 * processes are given): what a live workflow still needs is kept — a running
 * copy, a given-up record its watcher will read, a young copy, the releases
 * of a busy module — and hostile names under services/ are never touched.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  removeServiceCopyFiles,
  removeServiceRelease,
} from '../../activities/janitor/serviceRemovals';
import { scanServiceCopies } from '../../activities/janitor/services';
import type { TaggedProcess } from '../../activities/infra/processes';
import { parseServiceOwner } from '../../domain/services/copies';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const HOUR = 3_600_000;

function world() {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'ratchet-janitor-svc-'));
  dirs.push(dataDir);
  const old = (file: string) =>
    utimesSync(file, new Date(Date.now() - HOUR), new Date(Date.now() - HOUR));
  const copy = (
    moduleId: string,
    slot: string,
    record: object = {},
    age: 'old' | 'young' = 'old',
  ) => {
    const dir = path.join(dataDir, 'services', moduleId);
    mkdirSync(dir, { recursive: true });
    const file = path.join(dir, `${slot}.json`);
    writeFileSync(file, JSON.stringify({ moduleId, slot, cwd: '/nowhere', ...record }));
    if (age === 'old') old(file);
  };
  const release = (moduleId: string, version: string) => {
    const dir = path.join(dataDir, 'services', moduleId, 'releases', version);
    mkdirSync(dir, { recursive: true });
    old(dir);
    return dir;
  };
  const scan = (running: string[], procs: TaggedProcess[] = []) =>
    scanServiceCopies({
      dataDir,
      running: new Set(running),
      minAgeMs: 60_000,
      now: Date.now(),
      procs,
    });
  return { dataDir, copy, release, scan };
}

describe('scanServiceCopies', () => {
  it('an orphan is a copy whose own workflow is not running; a running one is kept', async () => {
    const w = world();
    w.copy('m', 'v1-aaaaaaaa');
    w.copy('m', 'v2-bbbbbbbb');
    const proc = { pid: 4242, owner: 'service:m:v1-aaaaaaaa', dataDir: w.dataDir, pgid: 4242 };
    const orphans = await w.scan(['service-m-v2-bbbbbbbb'], [proc]);
    expect(orphans.map((o) => [o.kind, o.id, o.ownerWorkflowId])).toEqual([
      ['service', 'm/v1-aaaaaaaa', 'service-m-v1-aaaaaaaa'],
    ]);
    expect(orphans[0]!.cleanups.map((c) => [c.activity, c.priority, c.args])).toEqual([
      ['stopOrphanProcess', 95, { pid: 4242, owner: 'service:m:v1-aaaaaaaa' }],
      ['removeServiceCopyFiles', 60, { moduleId: 'm', slot: 'v1-aaaaaaaa' }],
    ]);
  });

  it("keeps a given-up record while its module's watcher runs, and a copy younger than minAge", async () => {
    const w = world();
    w.copy('m', 'v1-aaaaaaaa', { gaveUp: true });
    w.copy('n', 'v1-cccccccc', {}, 'young');
    expect(await w.scan(['serve-m'])).toEqual([]);
    // Nobody watches any more: the given-up record is an orphan too.
    expect((await w.scan([])).map((o) => o.id)).toEqual(['m/v1-aaaaaaaa']);
  });

  it('releases go only when no workflow of the module runs and no kept copy runs from them', async () => {
    const w = world();
    w.release('m', 'v1');
    w.release('m', 'v2');
    const young = path.join(w.dataDir, 'services', 'm', 'releases', 'v3');
    mkdirSync(young);
    w.copy(
      'm',
      'v2-dddddddd',
      { cwd: path.join(w.dataDir, 'services', 'm', 'releases', 'v2') },
      'young',
    );
    mkdirSync(path.join(w.dataDir, 'services', 'm', 'releases', 'v4.tmp-1-2')); // a checkout being written
    for (const busy of ['serve-m', 'evolve-m-abc', 'swap-m-v2-x-1', 'versions-rollback-m-x'])
      expect(await w.scan([busy]), busy).toEqual([]);
    expect((await w.scan([])).map((o) => o.id)).toEqual(['m/releases/v1']);
  });

  it('ignores names it did not make, and tags that are not well-formed', async () => {
    const w = world();
    mkdirSync(path.join(w.dataDir, 'services', '..hidden'), { recursive: true });
    writeFileSync(path.join(w.dataDir, 'services', '..hidden', 'v1-a.json'), '{}');
    mkdirSync(path.join(w.dataDir, 'services', 'm'), { recursive: true });
    writeFileSync(path.join(w.dataDir, 'services', 'm', '.json'), '{}');
    const hostile = { pid: 1, owner: 'service:../../etc:x', dataDir: w.dataDir, pgid: 1 };
    expect(await w.scan([], [hostile])).toEqual([]);
    expect(parseServiceOwner('service:m:v1-a')).toEqual({ moduleId: 'm', slot: 'v1-a' });
    expect(parseServiceOwner('service:a:b:v1-x')).toBeNull(); // a module id has no ':'
    expect(parseServiceOwner('agent-1')).toBeNull();
  });

  it('the removals re-check what runs, and refuse paths they did not build', async () => {
    const w = world();
    w.copy('m', 'v1-aaaaaaaa');
    const release = w.release('m', 'v1');
    const none = () => Promise.resolve(new Set<string>());
    const copyRuns = () => Promise.resolve(new Set(['service-m-v1-aaaaaaaa']));
    const serveRuns = () => Promise.resolve(new Set(['serve-m']));
    await expect(
      removeServiceCopyFiles(w.dataDir, none, { moduleId: '../etc', slot: 'v1-a' }),
    ).rejects.toMatchObject({ type: 'UnsafeCleanupTarget' });
    await expect(
      removeServiceRelease(w.dataDir, none, { moduleId: 'm', version: '../../x' }),
    ).rejects.toMatchObject({ type: 'UnsafeCleanupTarget' });
    // Started again since the scan (a race): left alone.
    const record = path.join(w.dataDir, 'services', 'm', 'v1-aaaaaaaa.json');
    expect(
      await removeServiceCopyFiles(w.dataDir, copyRuns, { moduleId: 'm', slot: 'v1-aaaaaaaa' }),
    ).toEqual({ skipped: true });
    expect(
      await removeServiceRelease(w.dataDir, serveRuns, { moduleId: 'm', version: 'v1' }),
    ).toEqual({ skipped: true });
    expect(existsSync(record) && existsSync(release)).toBe(true);
    await removeServiceCopyFiles(w.dataDir, none, { moduleId: 'm', slot: 'v1-aaaaaaaa' });
    await removeServiceRelease(w.dataDir, none, { moduleId: 'm', version: 'v1' });
    expect(existsSync(path.join(w.dataDir, 'services', 'm'))).toBe(false);
  });
});
