/**
 * A restore rehashes what it reads — the commit, every tree of the checkpoint
 * and the blobs it writes — and not the rest (`checkpoint validate` rehashes
 * everything). Adversaries: a corrupted tree, a corrupted blob the restore
 * must write, a missing blob; and a corrupted blob it does not need, which
 * the restore leaves alone and validate still reports.
 */
import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { deflateSync, inflateSync } from 'node:zlib';
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
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

let store: CheckpointStore;
let ws: string;
beforeEach(async () => {
  store = new CheckpointStore(tempDir('ratchet-rs-data-'));
  ws = path.join(tempDir('ratchet-rs-ws-'), 'app');
  mkdirSync(ws);
  buildWorkspace(ws, 100);
  await createCheckpoint(store, { workspace: ws, moduleId: 'app' });
});

const objectId = (spec: string) =>
  execFileSync('git', ['rev-parse', `refs/ratchet/app/v1:${spec}`], {
    env: { ...process.env, GIT_DIR: store.gitDir },
    encoding: 'utf8',
  }).trim();
const objectFile = (id: string) => path.join(store.gitDir, 'objects', id.slice(0, 2), id.slice(2));

/** Same length, other bytes, valid zlib: only a rehash notices. */
function tamper(id: string, from: string, to: string): void {
  const file = objectFile(id);
  const raw = inflateSync(readFileSync(file));
  const changed = Buffer.from(raw.toString('latin1').replace(from, to), 'latin1');
  expect(changed.equals(raw)).toBe(false);
  chmodSync(file, 0o644);
  writeFileSync(file, deflateSync(changed));
}

async function expectRefusedUntouched(): Promise<void> {
  const before = describeTree(ws);
  const err = await restoreCheckpoint(store, { checkpointId: 'app@v1' }).then(
    () => undefined,
    (e: unknown) => e as { type?: string; message: string },
  );
  expect(err?.type).toBe('CheckpointCorrupted');
  expect(err?.message).toMatch(/nothing restored/);
  expect(describeTree(ws)).toEqual(before);
}

describe('restore verifies what it reads', () => {
  it('refuses when a blob it must write is corrupted', async () => {
    tamper(objectId('pkg1/mod1/f1.txt'), 'file 1', 'FILE 1');
    writeFileSync(path.join(ws, 'pkg1/mod1/f1.txt'), 'changed since');
    await expectRefusedUntouched();
  });

  it('refuses when a tree of the checkpoint is corrupted, even one no changed file is under', async () => {
    // A tree entry renamed in place: same length, still parses, lists another file.
    tamper(objectId('pkg2'), 'mod1', 'modX');
    writeFileSync(path.join(ws, 'pkg1/mod1/f1.txt'), 'changed since');
    await expectRefusedUntouched();
  });

  it('refuses when a blob it must write is missing', async () => {
    unlinkSync(objectFile(objectId('pkg1/mod1/f1.txt')));
    writeFileSync(path.join(ws, 'pkg1/mod1/f1.txt'), 'changed since');
    await expectRefusedUntouched();
  });

  it('restores past a corrupted blob it does not need; validate still reports it', async () => {
    const untouched = objectId('pkg3/mod4/f17.txt');
    tamper(untouched, 'file 17', 'FILE 17');
    writeFileSync(path.join(ws, 'pkg1/mod1/f1.txt'), 'changed since');
    const restored = await restoreCheckpoint(store, { checkpointId: 'app@v1' });
    expect(restored).toMatchObject({ matches: true, filesWritten: 1, filesRemoved: 0 });
    const validation = await validateCheckpoint(store, 'app@v1');
    expect(validation.ok).toBe(false);
    expect(validation.problems.join('\n')).toContain(untouched);
  });
});
