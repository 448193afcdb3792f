/** `ratchet checkpoint …` and `ratchet versions …` as scripts call them: JSON shapes and exit codes. */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const BIN = path.join(__dirname, '..', '..', 'bin', 'ratchet.js');
let base: string;
let dataDir: string;
let ws: string;

function ratchet(...args: string[]) {
  const res = spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'utf8',
    env: { ...process.env, RATCHET_DATA_DIR: dataDir },
    timeout: 60_000,
  });
  return { code: res.status, stdout: res.stdout, stderr: res.stderr };
}
function json<T = Record<string, unknown>>(res: { stdout: string }): T {
  return JSON.parse(res.stdout) as T;
}

beforeAll(() => {
  base = mkdtempSync(path.join(tmpdir(), 'ratchet-cli-cp-'));
  dataDir = path.join(base, 'data');
  ws = path.join(base, 'shop');
  mkdirSync(path.join(ws, 'src'), { recursive: true });
  writeFileSync(path.join(ws, 'src', 'a.txt'), 'one\n');
});
afterAll(() => rmSync(base, { recursive: true, force: true }));

describe('ratchet checkpoint / versions', () => {
  it('creates, lists, shows, restores and validates with the documented JSON and exit codes', () => {
    const first = ratchet('checkpoint', 'create', '--workspace', ws, '--tag', 'stable', '--json');
    expect(first.code).toBe(0);
    expect(json(first)).toMatchObject({
      id: 'shop@v1',
      moduleId: 'shop', // defaults to the workspace folder's name
      version: 'v1',
      parentVersion: null,
      checksum: expect.stringMatching(/^sha256:[0-9a-f]{64}$/),
      files: 1,
      bytesAdded: expect.any(Number),
      tags: ['stable'],
    });
    writeFileSync(path.join(ws, 'src', 'a.txt'), 'two\n');
    writeFileSync(path.join(ws, 'src', 'b.txt'), 'new\n');
    const second = json(
      ratchet(
        'checkpoint',
        'create',
        '--workspace',
        ws,
        '--module',
        'shop',
        '--metadata',
        '{"step":"edit"}',
        '--json',
      ),
    );
    expect(second).toMatchObject({
      id: 'shop@v2',
      parentVersion: 'v1',
      files: 2,
      metadata: { step: 'edit' },
    });

    const list = ratchet('checkpoint', 'list', '--module', 'shop', '--json');
    expect(json<Array<{ id: string }>>(list).map((c) => c.id)).toEqual(['shop@v2', 'shop@v1']);
    const text = ratchet('checkpoint', 'list');
    expect(text.stdout).toMatch(/^checkpoint shop@v2 \(accepted\)\nParent: {4}v1/);
    expect(json(ratchet('checkpoint', 'show', 'shop@v1', '--json'))).toMatchObject({
      id: 'shop@v1',
      status: 'active',
    });
    expect(ratchet('checkpoint', 'show', 'shop@v9').code).toBe(2);

    const restored = ratchet('checkpoint', 'restore', 'shop@v1', '--json');
    expect(restored.code).toBe(0);
    expect(json(restored)).toMatchObject({
      checkpointId: 'shop@v1',
      workspace: ws,
      checksum: json(first).checksum,
      filesWritten: 1,
      filesRemoved: 1,
    });
    expect(readFileSync(path.join(ws, 'src', 'a.txt'), 'utf8')).toBe('one\n');

    const valid = ratchet('checkpoint', 'validate', '--json');
    expect(valid.code).toBe(0);
    expect(json(valid)).toEqual({
      ok: true,
      checkpoints: [
        { checkpointId: 'shop@v2', ok: true, problems: [] },
        { checkpointId: 'shop@v1', ok: true, problems: [] },
      ],
    });
    // Tamper with v2's manifest: validate and restore exit 1, the workspace stays as it is.
    const manifest = path.join(dataDir, 'checkpoints', 'manifests', 'shop', 'v2.json');
    writeFileSync(manifest, readFileSync(manifest, 'utf8').replace('"files": 2', '"files": 3'));
    const corrupt = ratchet('checkpoint', 'validate', 'shop@v2', '--json');
    expect(corrupt.code).toBe(1);
    expect(json(corrupt)).toMatchObject({
      ok: false,
      checkpoints: [{ checkpointId: 'shop@v2', ok: false }],
    });
    const refused = ratchet('checkpoint', 'restore', 'shop@v2');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/failed validation/);
    expect(readFileSync(path.join(ws, 'src', 'a.txt'), 'utf8')).toBe('one\n');

    // Bad input exits 2.
    expect(ratchet('checkpoint', 'restore', 'shop@v1', '--workspace', '/').code).toBe(2);
    expect(ratchet('checkpoint', 'restore', 'not-an-id').code).toBe(2);
    expect(ratchet('checkpoint', 'create', '--workspace', path.join(base, 'missing')).code).toBe(2);
    expect(ratchet('checkpoint', 'cleanup', '--max-age', 'soon').code).toBe(2);
  });

  it('answers lineage, target, tag and cleanup', () => {
    const lineage = ratchet('versions', 'lineage', 'shop', '--json');
    expect(
      json<Array<{ version: string; status: string }>>(lineage).map((v) => [v.version, v.status]),
    ).toEqual([
      ['v1', 'active'],
      ['v2', 'accepted'],
    ]);
    expect(ratchet('versions', 'lineage', 'shop', '--dot').stdout).toContain('"v1" -> "v2";');
    expect(ratchet('versions', 'lineage', 'shop').stdout).toMatch(/^version shop@v2/);

    // v1 is active and has no parent: no target, exit 1.
    const none = ratchet('versions', 'target', 'shop', '--json');
    expect(none.code).toBe(1);
    expect(json(none)).toEqual({ moduleId: 'shop', target: null });
    expect(ratchet('versions', 'status', 'shop', 'v2', 'active').code).toBe(0);
    const target = ratchet('versions', 'target', 'shop', '--tag', 'stable', '--json');
    expect(target.code).toBe(0);
    expect(json(target)).toMatchObject({ target: { version: 'v1', tags: ['stable'] } });
    expect(ratchet('versions', 'tag', 'shop', 'v2', 'gold').code).toBe(0);
    expect(json(ratchet('checkpoint', 'show', 'shop@v2', '--json'))).toMatchObject({
      tags: ['gold'],
    });
    expect(ratchet('versions', 'tag', 'shop', 'v7', 'gold').code).toBe(2);

    const dry = ratchet('checkpoint', 'cleanup', '--keep', '0', '--dry-run', '--json');
    expect(dry.code).toBe(0);
    expect(json(dry)).toMatchObject({
      dryRun: true,
      removed: [],
      protected: [
        { checkpointId: 'shop@v2', reason: 'active' },
        { checkpointId: 'shop@v1', reason: 'tagged stable' },
      ],
    });
  });

  it('registers a directory with --json, then restores into it; a missing one is refused', () => {
    const fresh = path.join(base, 'fresh');
    mkdirSync(fresh);
    const registered = ratchet('checkpoint', 'register', '--workspace', fresh, '--json');
    expect(registered.code).toBe(0);
    expect(json(registered)).toEqual({ workspace: fresh, registered: true });
    const restored = ratchet('checkpoint', 'restore', 'shop@v1', '--workspace', fresh, '--json');
    expect(restored.code).toBe(0);
    expect(readFileSync(path.join(fresh, 'src', 'a.txt'), 'utf8')).toBe('one\n');
    const missing = ratchet(
      'checkpoint',
      'register',
      '--workspace',
      path.join(base, 'nope'),
      '--json',
    );
    expect(missing.code).toBe(2);
    expect(missing.stdout).toBe('');
  });
});
