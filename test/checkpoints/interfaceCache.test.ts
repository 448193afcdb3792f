/**
 * Interfaces remembered by content: a version read once is not extracted
 * again, a change to its TypeScript files is never hidden by the cache, a
 * damaged entry is read again, and a user's interface command is never cached.
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  assessCompatibility,
  CheckpointStore,
  createCheckpoint,
} from '../../activities/checkpoints';

let base: string;
let store: CheckpointStore;

const INDEX = (extra = '') =>
  `export function greet(name: string): string {\n  return name;\n}\n${extra}`;

function workspace(name: string): string {
  const ws = path.join(base, name);
  mkdirSync(ws);
  return ws;
}

async function checkpoint(ws: string, moduleId: string): Promise<string> {
  return (await createCheckpoint(store, { workspace: ws, moduleId })).version;
}

/** Assesses and returns the report with the versions it had to extract (the cache's misses). */
async function assess(moduleId: string, fromVersion: string, toVersion: string) {
  const extracted: string[] = [];
  const report = await assessCompatibility(store, { moduleId, fromVersion, toVersion }, (m) => {
    if (m.startsWith('extracting ')) extracted.push(m.slice('extracting '.length));
  });
  return { report, extracted };
}

const cacheDir = () => path.join(store.root, 'interfaces');

beforeAll(() => {
  base = mkdtempSync(path.join(tmpdir(), 'ratchet-ifcache-'));
  store = new CheckpointStore(path.join(base, 'data'));
});
afterAll(() => rmSync(base, { recursive: true, force: true }));

describe('interface cache', () => {
  it('extracts each TypeScript content once and never hides a changed export', async () => {
    const ws = workspace('lib');
    writeFileSync(path.join(ws, 'index.ts'), INDEX());
    writeFileSync(path.join(ws, 'perf.json'), '{ "factor": 1 }\n');
    const v1 = await checkpoint(ws, 'lib');
    writeFileSync(path.join(ws, 'perf.json'), '{ "factor": 0.8 }\n');
    const v2 = await checkpoint(ws, 'lib');

    const first = await assess('lib', v1, v2);
    // Only perf.json changed: the TypeScript files are the same, read once.
    expect(first.extracted).toEqual([v1]);
    expect(first.report).toMatchObject({ added: [], removed: [], changed: [] });

    writeFileSync(path.join(ws, 'index.ts'), INDEX('export const extra = 1;\n'));
    const v3 = await checkpoint(ws, 'lib');
    const added = await assess('lib', v2, v3);
    expect(added.extracted).toEqual([v3]); // v2's interface is remembered
    expect(added.report).toMatchObject({ level: 'MINOR_CHANGE', added: ['extra'] });

    // The adversary: the same export name, a changed signature, after both sides were cached.
    writeFileSync(
      path.join(ws, 'index.ts'),
      INDEX('export const extra = 1;\n').replace('name: string', 'name: number'),
    );
    const v4 = await checkpoint(ws, 'lib');
    const changed = await assess('lib', v3, v4);
    expect(changed.extracted).toEqual([v4]);
    expect(changed.report).toMatchObject({ level: 'BREAKING', changed: ['greet'] });

    // Back to v1's files: the same content key as v1, no extraction at all.
    const back = await assess('lib', v4, v1);
    expect(back.extracted).toEqual([]);
    expect(back.report).toMatchObject({
      level: 'BREAKING',
      changed: ['greet'],
      removed: ['extra'],
    });
  });

  it('reads a damaged entry again and rewrites it', async () => {
    const ws = workspace('damaged');
    writeFileSync(path.join(ws, 'index.ts'), INDEX());
    const v1 = await checkpoint(ws, 'damaged');
    writeFileSync(path.join(ws, 'index.ts'), INDEX('export const more = 2;\n'));
    const v2 = await checkpoint(ws, 'damaged');
    await assess('damaged', v1, v2);
    for (const f of readdirSync(cacheDir())) writeFileSync(path.join(cacheDir(), f), '{ "items": ');

    const again = await assess('damaged', v1, v2);
    expect(again.extracted).toEqual([v1, v2]);
    expect(again.report).toMatchObject({ level: 'MINOR_CHANGE', added: ['more'] });
    expect((await assess('damaged', v1, v2)).extracted).toEqual([]);
  });

  it('never caches an interface command: it may read more than the tree', async () => {
    const ws = workspace('service');
    const outside = path.join(base, 'api-outside.txt');
    writeFileSync(path.join(ws, 'run.py'), 'print(1)\n');
    const v1 = await checkpoint(ws, 'service');
    writeFileSync(path.join(ws, 'run.py'), 'print(2)\n');
    const v2 = await checkpoint(ws, 'service');
    await store.configureModule('service', { interfaceCommand: `cat '${outside}'` });

    writeFileSync(outside, 'GET /a\n');
    const first = await assess('service', v1, v2);
    expect(first.extracted).toEqual([v1, v2]);
    expect(first.report.level).toBe('COMPATIBLE');
    writeFileSync(outside, '');
    const second = await assess('service', v1, v2);
    expect(second.extracted).toEqual([v1, v2]);
  });
});
