/**
 * The fast restore (the index's tree is known, only the paths that differ are
 * listed, verified and checked out) against a workspace changed every way it
 * handles — edited, deleted, added, retyped, made read-only or executable,
 * replaced by symlinks pointing outside, by an empty directory — and against
 * the checkpoint's own changes (restoring an older version). The result must
 * be the checkpoint byte for byte, nothing outside the workspace touched, and
 * the path taken must be the fast one (else these tests prove nothing new).
 */
import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  symlinkSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import {
  CheckpointStore,
  createCheckpoint,
  restoreCheckpoint,
  validateCheckpoint,
} from '../../activities/checkpoints';
import { buildWorkspace, describeTree } from './workspaceFixture';

const dirs: string[] = [];
const tempDir = (prefix: string) => {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  dirs.push(dir);
  return dir;
};
afterAll(() => {
  for (const d of dirs) {
    rmSync(d, { recursive: true, force: true });
  }
});

let store: CheckpointStore;
let ws: string;
let outside: string;
beforeEach(() => {
  store = new CheckpointStore(tempDir('ratchet-rf-data-'));
  ws = path.join(tempDir('ratchet-rf-ws-'), 'app');
  mkdirSync(ws);
  buildWorkspace(ws, 300);
  outside = tempDir('ratchet-rf-outside-');
  mkdirSync(path.join(outside, 'mod2'));
  writeFileSync(path.join(outside, 'secret.txt'), 'not yours\n');
  writeFileSync(path.join(outside, 'mod2', 'f2.txt'), 'not yours either\n');
});

async function restore(id: string) {
  const steps: string[] = [];
  const result = await restoreCheckpoint(store, { checkpointId: id }, (s) => steps.push(s));
  return { result, fast: steps.some((s) => s.includes('(fast path)')) };
}

describe('fast restore', () => {
  it('undoes every change it handles, and writes nothing outside through symlinks', async () => {
    const original = describeTree(ws);
    const outsideBefore = describeTree(outside);
    const cp = await createCheckpoint(store, { workspace: ws, moduleId: 'app' });

    writeFileSync(path.join(ws, 'pkg1/mod1/f1.txt'), 'edited\n');
    unlinkSync(path.join(ws, 'pkg6/mod0/f13.txt'));
    writeFileSync(path.join(ws, 'pkg5/brand-new.txt'), 'new\n');
    writeFileSync(path.join(ws, 'pkg3/mod4/f17.txt'), 'read-only now\n');
    chmodSync(path.join(ws, 'pkg3/mod4/f17.txt'), 0o444);
    chmodSync(path.join(ws, 'pkg1/mod8/f8.txt'), 0o755);
    chmodSync(path.join(ws, 'run.sh'), 0o644);
    // A file replaced by a symlink to a file outside: the restore must replace the link, not write through it.
    unlinkSync(path.join(ws, 'pkg4/mod4/f4.txt'));
    symlinkSync(path.join(outside, 'secret.txt'), path.join(ws, 'pkg4/mod4/f4.txt'));
    // A directory replaced by a symlink to a directory outside holding same-named files.
    renameSync(path.join(ws, 'pkg2/mod2'), path.join(ws, 'pkg2-mod2-moved'));
    rmSync(path.join(ws, 'pkg2-mod2-moved'), { recursive: true });
    symlinkSync(path.join(outside, 'mod2'), path.join(ws, 'pkg2/mod2'));
    // A file replaced by an empty directory; a symlink retargeted; empty dirs added and removed.
    unlinkSync(path.join(ws, 'pkg0/mod7/f7.txt'));
    mkdirSync(path.join(ws, 'pkg0/mod7/f7.txt'));
    unlinkSync(path.join(ws, 'link-to-file'));
    symlinkSync('pkg1', path.join(ws, 'link-to-file'));
    mkdirSync(path.join(ws, 'pkg6/new-empty'));
    rmSync(path.join(ws, 'pkg2/empty-leaf'), { recursive: true });
    expect(describeTree(ws)).not.toEqual(original);

    const { result, fast } = await restore('app@v1');
    expect(fast).toBe(true);
    expect(result).toMatchObject({ matches: true, checksum: cp.checksum });
    expect(result.filesRemoved).toBe(2); // brand-new.txt and the symlink where pkg2/mod2 was
    expect(describeTree(ws)).toEqual(original);
    expect(describeTree(outside)).toEqual(outsideBefore);
    expect(readFileSync(path.join(outside, 'secret.txt'), 'utf8')).toBe('not yours\n');

    // The index it left behind is exact: the next restore of a clean workspace has nothing to do.
    const again = await restore('app@v1');
    expect(again.fast).toBe(true);
    expect(again.result).toMatchObject({ filesWritten: 0, filesRemoved: 0, matches: true });
  });

  it("applies the checkpoint's own changes (an older version) on top of edits", async () => {
    const v1Tree = describeTree(ws);
    await createCheckpoint(store, { workspace: ws, moduleId: 'app' });
    writeFileSync(path.join(ws, 'pkg1/mod1/f1.txt'), 'v2 content\n');
    unlinkSync(path.join(ws, 'pkg2/mod2/f2.txt'));
    mkdirSync(path.join(ws, 'v2-only/deeper'), { recursive: true });
    writeFileSync(path.join(ws, 'v2-only/deeper/file.txt'), 'only in v2\n');
    const v2 = await createCheckpoint(store, { workspace: ws, moduleId: 'app' });
    const v2Tree = describeTree(ws);
    writeFileSync(path.join(ws, 'pkg3/mod4/f17.txt'), 'unsaved edit\n');
    writeFileSync(path.join(ws, 'v2-only/deeper/file.txt'), 'edited too\n');

    const back = await restore('app@v1');
    expect(back.fast).toBe(true);
    expect(back.result.matches).toBe(true);
    expect(describeTree(ws)).toEqual(v1Tree);
    expect(existsSync(path.join(ws, 'v2-only'))).toBe(false); // emptied directories go too

    const forward = await restore(v2.id);
    expect(forward.fast).toBe(true);
    expect(forward.result.matches).toBe(true);
    expect(describeTree(ws)).toEqual(v2Tree);
    expect((await validateCheckpoint(store, v2.id)).ok).toBe(true);
  });

  it('reads packed refs and packed objects after a gc of the store', async () => {
    const original = describeTree(ws);
    await createCheckpoint(store, { workspace: ws, moduleId: 'app' });
    execFileSync('git', ['gc', '--quiet', '--prune=now'], {
      env: { ...process.env, GIT_DIR: store.gitDir },
    });
    expect(existsSync(path.join(store.gitDir, 'refs/ratchet/app/v1'))).toBe(false); // packed now
    writeFileSync(path.join(ws, 'pkg1/mod1/f1.txt'), 'edited\n');
    unlinkSync(path.join(ws, 'run.sh'));
    const { result, fast } = await restore('app@v1');
    expect(fast).toBe(true);
    expect(result).toMatchObject({ matches: true, filesWritten: 2 });
    expect(describeTree(ws)).toEqual(original);
  });

  it('takes the full path when it cannot trust the index, and still restores exactly', async () => {
    const original = describeTree(ws);
    await createCheckpoint(store, { workspace: ws, moduleId: 'app' });
    writeFileSync(path.join(ws, 'pkg1/mod1/f1.txt'), 'edited\n');
    // The index rewritten behind ratchet's back (its note is now stale).
    const index = store.indexFile('app', ws);
    writeFileSync(index, readFileSync(index));
    const { result, fast } = await restore('app@v1');
    expect(fast).toBe(false);
    expect(result.matches).toBe(true);
    expect(describeTree(ws)).toEqual(original);
    // …after which the fast path is back.
    writeFileSync(path.join(ws, 'pkg1/mod1/f1.txt'), 'edited again\n');
    expect((await restore('app@v1')).fast).toBe(true);
    expect(describeTree(ws)).toEqual(original);
  });
});
