/**
 * The checkpoint store over real workspaces and a real git object store:
 * byte-for-byte restores, incremental cost, corruption caught, dangerous
 * targets refused, concurrent creators, retention.
 */
import { execFileSync, spawn } from 'node:child_process';
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
import { homedir, tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import {
  CheckpointStore,
  cleanupCheckpoints,
  createCheckpoint,
  getLineage,
  registerWorkspace,
  restoreCheckpoint,
  setVersionStatus,
  tagVersion,
  validateCheckpoint,
  workspaceChecksum,
} from '../../activities/checkpoints';
import { buildWorkspace, describeTree } from './workspaceFixture';

const dirs: string[] = [];
function tempDir(prefix: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  dirs.push(dir);
  return dir;
}
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

let store: CheckpointStore;
let ws: string;
beforeEach(() => {
  store = new CheckpointStore(tempDir('ratchet-cp-data-'));
  ws = path.join(tempDir('ratchet-cp-ws-'), 'app');
  mkdirSync(ws);
});

function failureType(err: unknown): string | undefined {
  return (err as { type?: string }).type;
}

async function expectFailure(p: Promise<unknown>, type: string): Promise<void> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err, `expected ${type}`).toBeDefined();
  expect(failureType(err)).toBe(type);
  expect((err as { nonRetryable?: boolean }).nonRetryable).toBe(true);
}

/** A loose object's file in the store, for corruption tests. */
function looseObjectPath(id: string): string {
  return path.join(store.gitDir, 'objects', id.slice(0, 2), id.slice(2));
}
function blobIdOf(version: string, file: string): string {
  return execFileSync('git', ['rev-parse', `refs/ratchet/app/${version}:${file}`], {
    env: { ...process.env, GIT_DIR: store.gitDir },
    encoding: 'utf8',
  }).trim();
}

describe('checkpoint store', () => {
  it('restores exactly the checkpointed tree after edits, deletions, renames, modes, symlinks and empty dirs', async () => {
    buildWorkspace(ws, 3000);
    const original = describeTree(ws);
    const cp = await createCheckpoint(store, { workspace: ws, moduleId: 'app', tags: ['stable'] });
    expect(cp).toMatchObject({
      id: 'app@v1',
      version: 'v1',
      parentVersion: null,
      status: 'active',
    });
    expect(cp.files).toBe(3000 + 1 + 3); // files, run.sh, three symlinks

    // Every kind of change.
    writeFileSync(path.join(ws, 'pkg1/mod1/f1.txt'), 'edited\n');
    unlinkSync(path.join(ws, 'pkg6/mod0/f13.txt'));
    renameSync(path.join(ws, 'pkg4'), path.join(ws, 'pkg4-renamed'));
    chmodSync(path.join(ws, 'run.sh'), 0o644);
    chmodSync(path.join(ws, 'pkg1/mod8/f8.txt'), 0o755);
    unlinkSync(path.join(ws, 'link-to-dir'));
    symlinkSync('pkg2', path.join(ws, 'link-to-dir'));
    unlinkSync(path.join(ws, 'dangling'));
    mkdirSync(path.join(ws, 'dangling'));
    writeFileSync(path.join(ws, 'dangling', 'now-a-dir.txt'), 'x');
    rmSync(path.join(ws, 'empty'), { recursive: true });
    mkdirSync(path.join(ws, 'new-empty', 'inside'), { recursive: true });
    writeFileSync(path.join(ws, 'pkg5/brand-new.bin'), Buffer.from([0, 1, 2, 255]));
    expect(describeTree(ws)).not.toEqual(original);

    const result = await restoreCheckpoint(store, { checkpointId: 'app@v1' });
    expect(result).toMatchObject({ checkpointId: 'app@v1', workspace: ws, checksum: cp.checksum });
    expect(result.filesWritten).toBeGreaterThan(0);
    expect(result.filesRemoved).toBeGreaterThan(0);
    expect(describeTree(ws)).toEqual(original);
  });

  it('leaves the workspace .git, excluded paths and ignored files alone', async () => {
    buildWorkspace(ws, 50);
    execFileSync('git', ['init', '-q', '-b', 'main'], { cwd: ws });
    writeFileSync(path.join(ws, '.gitignore'), '*.log\n');
    execFileSync('git', ['add', '-A'], { cwd: ws });
    execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-qm', 'own'], {
      cwd: ws,
    });
    const ownHead = execFileSync('git', ['rev-parse', 'HEAD'], {
      cwd: ws,
      encoding: 'utf8',
    }).trim();
    await store.configureModule('app', { exclude: ['node_modules/'] });
    mkdirSync(path.join(ws, 'node_modules', 'dep'), { recursive: true });
    writeFileSync(path.join(ws, 'node_modules', 'dep', 'index.js'), 'v1');
    const cp = await createCheckpoint(store, { workspace: ws, moduleId: 'app' });
    expect(cp.gitCommit).toBe(ownHead);
    expect(cp.gitBranch).toBe('main');
    const listed = execFileSync('git', ['ls-tree', '-r', '--name-only', 'refs/ratchet/app/v1'], {
      env: { ...process.env, GIT_DIR: store.gitDir },
      encoding: 'utf8',
    });
    expect(listed).not.toMatch(/^\.git\//m);
    expect(listed).not.toMatch(/node_modules/);

    writeFileSync(path.join(ws, 'node_modules', 'dep', 'index.js'), 'v2');
    writeFileSync(path.join(ws, 'debug.log'), 'ignored');
    writeFileSync(path.join(ws, 'created.txt'), 'remove me');
    const ownStatusBefore = execFileSync('git', ['status', '--porcelain'], {
      cwd: ws,
      encoding: 'utf8',
    });
    await restoreCheckpoint(store, { checkpointId: 'app@v1' });
    expect(existsSync(path.join(ws, 'created.txt'))).toBe(false);
    expect(readFileSync(path.join(ws, 'node_modules', 'dep', 'index.js'), 'utf8')).toBe('v2');
    expect(readFileSync(path.join(ws, 'debug.log'), 'utf8')).toBe('ignored');
    expect(execFileSync('git', ['rev-parse', 'HEAD'], { cwd: ws, encoding: 'utf8' }).trim()).toBe(
      ownHead,
    );
    expect(execFileSync('git', ['status', '--porcelain'], { cwd: ws, encoding: 'utf8' })).toBe(
      ownStatusBefore.replace(/^\?\? created\.txt\n/m, ''),
    );
  });

  it('makes an incremental checkpoint cost about the changed file', async () => {
    buildWorkspace(ws, 1000);
    const first = await createCheckpoint(store, { workspace: ws, moduleId: 'app' });
    writeFileSync(path.join(ws, 'pkg1/mod1/f1.txt'), 'a small change\n');
    const second = await createCheckpoint(store, { workspace: ws, moduleId: 'app' });
    expect(second.parentVersion).toBe('v1');
    expect(second.status).toBe('accepted');
    expect(second.checksum).not.toBe(first.checksum);
    // the new blob, the trees on its path and the commit: far below the first checkpoint's cost
    expect(second.bytesAdded).toBeLessThan(first.bytesAdded / 20);
    expect(await workspaceChecksum(store, { workspace: ws, moduleId: 'app' })).toBe(
      second.checksum,
    );
  });

  it('catches a corrupted object: validate reports it, restore refuses and touches nothing', async () => {
    buildWorkspace(ws, 100);
    await createCheckpoint(store, { workspace: ws, moduleId: 'app' });
    expect(await validateCheckpoint(store, 'app@v1')).toEqual({
      checkpointId: 'app@v1',
      ok: true,
      problems: [],
    });
    // Same length, different bytes, valid zlib: only rehashing finds it.
    const blob = blobIdOf('v1', 'pkg1/mod1/f1.txt');
    const file = looseObjectPath(blob);
    const { deflateSync, inflateSync } = await import('node:zlib');
    const raw = inflateSync(readFileSync(file));
    const tampered = Buffer.from(raw.toString('latin1').replace('file 1', 'FILE 1'), 'latin1');
    chmodSync(file, 0o644);
    writeFileSync(file, deflateSync(tampered));

    const validation = await validateCheckpoint(store, 'app@v1');
    expect(validation.ok).toBe(false);
    expect(validation.problems.join('\n')).toContain(blob);

    writeFileSync(path.join(ws, 'pkg1/mod1/f1.txt'), 'changed since');
    const before = describeTree(ws);
    await expectFailure(
      restoreCheckpoint(store, { checkpointId: 'app@v1' }),
      'CheckpointCorrupted',
    );
    expect(describeTree(ws)).toEqual(before);
  });

  it('catches a missing object and a tampered manifest', async () => {
    buildWorkspace(ws, 100);
    await createCheckpoint(store, { workspace: ws, moduleId: 'app' });
    writeFileSync(path.join(ws, 'extra.txt'), 'more');
    await createCheckpoint(store, { workspace: ws, moduleId: 'app' });

    unlinkSync(looseObjectPath(blobIdOf('v2', 'extra.txt')));
    const missing = await validateCheckpoint(store, 'app@v2');
    expect(missing.ok).toBe(false);
    expect(missing.problems.join('\n')).toMatch(/missing/);

    const manifestFile = store.manifestFile('app', 'v1');
    const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as { emptyDirs: string[] };
    manifest.emptyDirs.push('smuggled');
    writeFileSync(manifestFile, JSON.stringify(manifest));
    const tampered = await validateCheckpoint(store, 'app@v1');
    expect(tampered.ok).toBe(false);
    expect(tampered.problems.join('\n')).toMatch(/manifest/);
    const before = describeTree(ws);
    await expectFailure(
      restoreCheckpoint(store, { checkpointId: 'app@v1' }),
      'CheckpointCorrupted',
    );
    expect(describeTree(ws)).toEqual(before);
  });

  it('refuses dangerous and unregistered restore targets', async () => {
    buildWorkspace(ws, 10);
    await createCheckpoint(store, { workspace: ws, moduleId: 'app' });
    const stranger = tempDir('ratchet-cp-stranger-');
    writeFileSync(path.join(stranger, 'keep.txt'), 'mine');
    mkdirSync(path.join(store.dataDir, 'inner'), { recursive: true });
    for (const target of [
      '/',
      homedir(),
      store.dataDir,
      path.join(store.dataDir, 'inner'),
      stranger,
    ]) {
      await expectFailure(
        restoreCheckpoint(store, { checkpointId: 'app@v1', workspace: target }),
        'DangerousRestoreTarget',
      );
    }
    expect(readFileSync(path.join(stranger, 'keep.txt'), 'utf8')).toBe('mine');
    await expectFailure(
      createCheckpoint(store, { workspace: '/', moduleId: 'root' }),
      'DangerousRestoreTarget',
    );
    await expectFailure(restoreCheckpoint(store, { checkpointId: 'app@v9' }), 'CheckpointNotFound');
    await expectFailure(
      restoreCheckpoint(store, { checkpointId: '../x' }),
      'InvalidCheckpointInput',
    );

    // Once registered, a fresh directory receives the whole tree.
    await registerWorkspace(store, { workspace: stranger });
    unlinkSync(path.join(stranger, 'keep.txt'));
    await restoreCheckpoint(store, { checkpointId: 'app@v1', workspace: stranger });
    expect(describeTree(stranger)).toEqual(describeTree(ws));
  });

  it('stays consistent when creators race, in one process and across processes', async () => {
    buildWorkspace(ws, 200);
    const inProcess = await Promise.all(
      Array.from({ length: 4 }, (_, i) =>
        createCheckpoint(new CheckpointStore(store.dataDir), {
          workspace: ws,
          moduleId: 'app',
          metadata: { racer: i },
        }),
      ),
    );
    expect(new Set(inProcess.map((c) => c.version)).size).toBe(4);
    // Separate processes through the CLI, on the same store.
    const bin = path.join(__dirname, '..', '..', 'bin', 'ratchet.js');
    const codes = await Promise.all(
      Array.from(
        { length: 3 },
        () =>
          new Promise<number | null>((resolve) => {
            const child = spawn(
              process.execPath,
              [bin, 'checkpoint', 'create', '--workspace', ws, '--module', 'app', '--json'],
              { env: { ...process.env, RATCHET_DATA_DIR: store.dataDir }, stdio: 'ignore' },
            );
            child.on('close', resolve);
          }),
      ),
    );
    expect(codes).toEqual([0, 0, 0]);
    const lineage = await getLineage(store, 'app');
    expect(lineage.map((v) => v.version).sort()).toEqual([
      'v1',
      'v2',
      'v3',
      'v4',
      'v5',
      'v6',
      'v7',
    ]);
    expect(lineage.filter((v) => v.status === 'active')).toHaveLength(1);
    for (const v of lineage)
      expect((await validateCheckpoint(store, v.checkpointId)).ok).toBe(true);
  });

  it('tracks statuses and tags; setting active demotes the previous one', async () => {
    buildWorkspace(ws, 10);
    await createCheckpoint(store, { workspace: ws, moduleId: 'app' });
    writeFileSync(path.join(ws, 'x'), '1');
    await createCheckpoint(store, { workspace: ws, moduleId: 'app', status: 'pending_approval' });
    await setVersionStatus(store, { moduleId: 'app', version: 'v2', status: 'active' });
    await tagVersion(store, { moduleId: 'app', version: 'v2', tag: 'stable' });
    const lineage = await getLineage(store, 'app');
    expect(lineage.map((v) => [v.version, v.status, v.tags])).toEqual([
      ['v1', 'accepted', []],
      ['v2', 'active', ['stable']],
    ]);
    await expectFailure(
      setVersionStatus(store, { moduleId: 'app', version: 'v7', status: 'active' }),
      'CheckpointNotFound',
    );
  });

  it('cleans up by retention, keeping stable, active and its ancestors, and reclaims space', async () => {
    buildWorkspace(ws, 50);
    const big = (n: number) => writeFileSync(path.join(ws, 'big.bin'), Buffer.alloc(200_000, n));
    for (let i = 1; i <= 8; i++) {
      big(i);
      await createCheckpoint(store, {
        workspace: ws,
        moduleId: 'app',
        status: i <= 6 ? 'active' : undefined,
      });
    }
    await tagVersion(store, { moduleId: 'app', version: 'v2', tag: 'stable' });
    await tagVersion(store, { moduleId: 'app', version: 'v4', tag: 'stable' });
    const dry = await cleanupCheckpoints(store, { keep: 2, dryRun: true });
    expect(dry.removed).toEqual(['app@v3', 'app@v1']);
    expect(existsSync(store.manifestFile('app', 'v3'))).toBe(true);

    const result = await cleanupCheckpoints(store, { keep: 2 });
    expect(result.removed).toEqual(['app@v3', 'app@v1']);
    // v6 active, v5 its parent, v4 stable (the floor), v2 stable, v7 and v8 newest
    expect(result.protected.map((p) => p.checkpointId).sort()).toEqual([
      'app@v2',
      'app@v4',
      'app@v5',
      'app@v6',
    ]);
    expect(result.reclaimedBytes).toBeGreaterThan(0);
    const lineage = await getLineage(store, 'app');
    expect(lineage.filter((v) => v.pruned).map((v) => v.version)).toEqual(['v1', 'v3']);
    for (const v of lineage.filter((v) => !v.pruned)) {
      expect((await validateCheckpoint(store, v.checkpointId)).ok).toBe(true);
    }
    await expectFailure(restoreCheckpoint(store, { checkpointId: 'app@v3' }), 'CheckpointNotFound');
    // The index's cached blobs survived gc: the next checkpoint is whole and valid.
    big(99);
    const next = await createCheckpoint(store, { workspace: ws, moduleId: 'app' });
    expect(next.version).toBe('v9');
    expect((await validateCheckpoint(store, next.id)).ok).toBe(true);
    await restoreCheckpoint(store, { checkpointId: 'app@v2' });
    expect(readFileSync(path.join(ws, 'big.bin'))[0]).toBe(2);
  });
});
