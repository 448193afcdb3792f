/** Compatibility on real TypeScript packages, checkpointed in a real store. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  assessCompatibility,
  CheckpointStore,
  createCheckpoint,
  extractTsInterface,
} from '../../activities/checkpoints';

let base: string;
let store: CheckpointStore;
let ws: string;

const UTIL = `export function slugify(s: string): string {\n  return s.toLowerCase();\n}\n`;
const INDEX = (body: string, extra = '') => `
export { slugify } from './util';
/** Greets. */
export function greet(name: string, excited?: boolean): string {
  ${body}
}
export interface Options { retries: number; label?: string }
export class Client {
  private secret = 1;
  constructor(readonly url: string) {}
  get(path: string): Promise<string> { return Promise.resolve(this.url + path + this.secret); }
}
export type Mode = 'fast' | 'safe';
export enum Level { Low = 1, High = 2 }
export const DEFAULT_RETRIES = 3;
${extra}`;

function writePackage(index: string): void {
  mkdirSync(path.join(ws, 'src'), { recursive: true });
  writeFileSync(
    path.join(ws, 'package.json'),
    JSON.stringify({ name: 'lib', main: 'dist/index.js', types: 'dist/index.d.ts' }),
  );
  writeFileSync(path.join(ws, 'src', 'util.ts'), UTIL);
  writeFileSync(path.join(ws, 'src', 'index.ts'), index);
}

async function checkpoint(): Promise<string> {
  return (await createCheckpoint(store, { workspace: ws, moduleId: 'lib' })).version;
}

beforeAll(() => {
  base = mkdtempSync(path.join(tmpdir(), 'ratchet-compat-'));
  store = new CheckpointStore(path.join(base, 'data'));
  ws = path.join(base, 'lib');
  mkdirSync(ws);
});
afterAll(() => rmSync(base, { recursive: true, force: true }));

describe('compatibility assessment', () => {
  it('reads exported names and signatures through the entry point (dist → src mapping)', () => {
    writePackage(INDEX('return `hi ${name}`;'));
    const api = extractTsInterface(ws);
    expect(Object.keys(api ?? {}).sort()).toEqual([
      'Client',
      'DEFAULT_RETRIES',
      'Level',
      'Mode',
      'Options',
      'greet',
      'slugify',
    ]);
    expect(api?.greet).toBe('function (name: string, excited?: boolean) => string');
    expect(api?.Client).toContain('get: (path: string) => Promise<string>');
    expect(api?.Client).not.toContain('secret');
    expect(api?.Level).toBe('enum { High=2, Low=1 }');
  });

  it('grades body-only COMPATIBLE, added MINOR_CHANGE, renamed and changed BREAKING', async () => {
    writePackage(INDEX('return `hi ${name}`;'));
    const v1 = await checkpoint();
    writePackage(INDEX('// reworded\n  return excited ? `HELLO ${name}!` : `hello ${name}`;'));
    const v2 = await checkpoint();
    const body = await assessCompatibility(store, {
      moduleId: 'lib',
      fromVersion: v1,
      toVersion: v2,
    });
    expect(body).toMatchObject({
      level: 'COMPATIBLE',
      added: [],
      removed: [],
      changed: [],
      approvedBy: null,
    });

    writePackage(
      INDEX('return name;', 'export function farewell(name: string): string { return name; }'),
    );
    const v3 = await checkpoint();
    const added = await assessCompatibility(store, {
      moduleId: 'lib',
      fromVersion: v2,
      toVersion: v3,
    });
    expect(added).toMatchObject({ level: 'MINOR_CHANGE', added: ['farewell'] });
    expect(added.rationale).toEqual(['added farewell: function (name: string) => string']);

    writePackage(
      INDEX('return name;', 'export function goodbye(name: string): string { return name; }'),
    );
    const v4 = await checkpoint();
    const renamed = await assessCompatibility(store, {
      moduleId: 'lib',
      fromVersion: v3,
      toVersion: v4,
    });
    expect(renamed).toMatchObject({ level: 'BREAKING', added: ['goodbye'], removed: ['farewell'] });
    expect(renamed.rationale[0]).toBe('removed farewell: function (name: string) => string');

    writePackage(
      INDEX(
        'return name;',
        'export function goodbye(name: string): string { return name; }',
      ).replace('retries: number', 'retries: string'),
    );
    const changed = await assessCompatibility(store, { moduleId: 'lib', fromVersion: v4 });
    expect(changed).toMatchObject({
      level: 'BREAKING',
      changed: ['Options'],
      toVersion: 'workspace',
    });
    expect(changed.rationale[0]).toContain('retries: number');

    const state = await store.readModule('lib');
    expect(state?.compatibility.map((r) => [r.fromVersion, r.toVersion, r.level])).toEqual([
      [v1, v2, 'COMPATIBLE'],
      [v2, v3, 'MINOR_CHANGE'],
      [v3, v4, 'BREAKING'],
    ]);
  });

  it('is UNKNOWN without an entry point, and diffs an interface command when configured', async () => {
    const other = path.join(base, 'scripts');
    mkdirSync(other);
    writeFileSync(path.join(other, 'run.py'), 'print(1)\n');
    writeFileSync(path.join(other, 'api.txt'), 'GET /health\nGET /items\n');
    const v1 = (await createCheckpoint(store, { workspace: other, moduleId: 'scripts' })).version;
    writeFileSync(path.join(other, 'api.txt'), 'GET /health\nGET /items\nPOST /items\n');
    const v2 = (await createCheckpoint(store, { workspace: other, moduleId: 'scripts' })).version;
    const unknown = await assessCompatibility(store, {
      moduleId: 'scripts',
      fromVersion: v1,
      toVersion: v2,
    });
    expect(unknown.level).toBe('UNKNOWN');
    expect(unknown.rationale[0]).toMatch(/no package entry point/);

    await store.configureModule('scripts', { interfaceCommand: 'cat api.txt' });
    const minor = await assessCompatibility(store, {
      moduleId: 'scripts',
      fromVersion: v1,
      toVersion: v2,
    });
    expect(minor).toMatchObject({ level: 'MINOR_CHANGE', added: ['POST /items'] });
    const back = await assessCompatibility(store, {
      moduleId: 'scripts',
      fromVersion: v2,
      toVersion: v1,
    });
    expect(back).toMatchObject({ level: 'BREAKING', removed: ['POST /items'] });
  });
});
