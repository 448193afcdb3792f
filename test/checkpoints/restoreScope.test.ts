/**
 * A restore rehashes what it reads — the commit, the trees above the files it
 * writes and those blobs — and not the rest (`checkpoint validate` rehashes
 * everything), on both paths. Adversaries: a corrupted blob the restore must
 * write, a corrupted tree above it, a missing blob; and a corrupted tree and
 * blob it does not read, which the restore leaves alone and validate reports.
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

/** The restore's progress lines (they name the path it took). */
async function restore(): Promise<{ steps: string[]; result: { matches: boolean } }> {
  const steps: string[] = [];
  const result = await restoreCheckpoint(store, { checkpointId: 'app@v1' }, (s) => steps.push(s));
  return { steps, result };
}

async function expectRefusedUntouched(): Promise<void> {
  const before = describeTree(ws);
  const err = await restore().then(
    () => undefined,
    (e: unknown) => e as { type?: string; message: string },
  );
  expect(err?.type).toBe('CheckpointCorrupted');
  expect(err?.message).toMatch(/nothing restored/);
  expect(describeTree(ws)).toEqual(before);
}

// The fast path (the index's tree is known: only listed paths are read) and the
// full one (an untracked directory with content makes the restore stage first).
describe.each([
  { path: 'fast', change: () => writeFileSync(path.join(ws, 'pkg1/mod1/f1.txt'), 'changed') },
  {
    path: 'full',
    change: () => {
      writeFileSync(path.join(ws, 'pkg1/mod1/f1.txt'), 'changed');
      mkdirSync(path.join(ws, 'untracked-dir'));
      writeFileSync(path.join(ws, 'untracked-dir', 'x.txt'), 'x');
    },
  },
])('restore verifies what it reads ($path path)', ({ path: which, change }) => {
  it('refuses when a blob it must write is corrupted', async () => {
    tamper(objectId('pkg1/mod1/f1.txt'), 'file 1', 'FILE 1');
    change();
    await expectRefusedUntouched();
  });

  it('refuses when a tree above a file it writes is corrupted', async () => {
    // A tree entry renamed in place: same length, still parses, lists another file.
    tamper(objectId('pkg1'), 'mod1', 'modX');
    change();
    await expectRefusedUntouched();
  });

  it('refuses when a blob it must write is missing', async () => {
    unlinkSync(objectFile(objectId('pkg1/mod1/f1.txt')));
    change();
    await expectRefusedUntouched();
  });

  it('restores past a corrupted tree and blob it does not read; validate still reports them', async () => {
    const tree = objectId('pkg2');
    const blob = objectId('pkg3/mod4/f17.txt');
    tamper(tree, 'mod1', 'modX');
    tamper(blob, 'file 17', 'FILE 17');
    const before = describeTree(ws);
    change();
    const { steps, result } = await restore();
    expect(steps.some((s) => s.includes('(fast path)'))).toBe(which === 'fast');
    expect(result).toMatchObject({ matches: true, filesWritten: 1 });
    expect(describeTree(ws)).toEqual(before);
    const validation = await validateCheckpoint(store, 'app@v1');
    expect(validation.ok).toBe(false);
    expect(validation.problems.join('\n')).toContain(tree);
  });
});
