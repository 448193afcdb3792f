/**
 * `ratchet versions lineage MODULE --svg FILE` / `--dot`: a real lineage in a
 * real store (v1 stable → v2 rolled back → v3 active), drawn by Graphviz
 * compiled to WebAssembly: statuses coloured, the rollback drawn, active and
 * stable marked. Bad file arguments exit 2 and write nothing.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CheckpointStore,
  createCheckpoint,
  setVersionStatus,
  tagVersion,
} from '../../activities/checkpoints';
import { lineageGraphDot } from '../../domain/lineageGraph';
import type { VersionRecord } from '../../domain/versions';

const BIN = path.join(__dirname, '..', '..', 'bin', 'ratchet.js');

describe('ratchet versions lineage --svg / --dot', () => {
  let base: string;
  let dataDir: string;
  const ratchet = (...args: string[]) =>
    spawnSync(process.execPath, [BIN, ...args], {
      encoding: 'utf8',
      env: { ...process.env, RATCHET_DATA_DIR: dataDir },
    });

  beforeAll(async () => {
    base = mkdtempSync(path.join(tmpdir(), 'ratchet-lineage-svg-'));
    dataDir = path.join(base, 'data');
    const ws = path.join(base, 'pricing');
    mkdirSync(ws);
    const store = new CheckpointStore(dataDir);
    const moduleId = 'pricing';
    for (const content of ['one', 'two', 'three']) {
      writeFileSync(path.join(ws, 'a.txt'), `${content}\n`);
      await createCheckpoint(store, {
        workspace: ws,
        moduleId,
        parentVersion: content === 'three' ? 'v1' : undefined,
      });
    }
    await tagVersion(store, { moduleId, version: 'v1', tag: 'stable' });
    await setVersionStatus(store, { moduleId, version: 'v2', status: 'rolled_back' });
    await setVersionStatus(store, { moduleId, version: 'v3', status: 'active' });
  });
  afterAll(() => rmSync(base, { recursive: true, force: true }));

  it('writes an SVG with statuses, the rollback, and active and stable marked', () => {
    const file = path.join(base, 'lineage.svg');
    const res = ratchet('versions', 'lineage', 'pricing', '--svg', file);
    expect(res.status, res.stderr).toBe(0);
    expect(res.stdout).toContain(`wrote ${file} (3 versions)`);
    const svg = readFileSync(file, 'utf8');
    expect(svg).toMatch(/<svg[^>]+width="\d+pt"/);
    for (const v of ['v1', 'v2', 'v3']) expect(svg).toContain(`<title>${v}</title>`);
    expect(svg).toContain('<title>v1&#45;&gt;v2</title>');
    // v2 was rolled back to v1: a dashed red edge, labelled.
    const rollback = svg.slice(svg.indexOf('<title>v2&#45;&gt;v1</title>'));
    expect(rollback).toMatch(
      /^<title>v2&#45;&gt;v1<\/title>\s*<path fill="none" stroke="red" stroke-dasharray/,
    );
    expect(rollback).toContain('rolled back');
    expect(svg).toContain('★ active');
    expect(svg).toContain('orange'); // rolled_back
    expect(svg).toContain('palegreen'); // active
    expect(svg).toContain('>stable</text>');
  });

  it('prints the same graph as Graphviz source with --dot', () => {
    const res = ratchet('versions', 'lineage', 'pricing', '--dot');
    expect(res.status).toBe(0);
    expect(res.stdout).toContain('"v1" -> "v2";');
    expect(res.stdout).toContain('"v1" -> "v3";');
    expect(res.stdout).toMatch(/"v2" -> "v1" \[style=dashed, color=red/);
    expect(res.stdout).toMatch(
      /"v1" \[label="v1\\naccepted\\nstable", fillcolor=lightblue, peripheries=2\]/,
    );
    expect(res.stdout).toMatch(/"v3" \[label="v3\\n★ active", fillcolor=palegreen, penwidth=3\]/);
  });

  it('refuses a file in a missing directory, a directory, or an unknown module: exit 2, nothing written', () => {
    const missing = path.join(base, 'nope', 'x.svg');
    expect(ratchet('versions', 'lineage', 'pricing', '--svg', missing).status).toBe(2);
    expect(existsSync(path.dirname(missing))).toBe(false);
    expect(ratchet('versions', 'lineage', 'pricing', '--svg', base).status).toBe(2);
    const unknown = path.join(base, 'unknown.svg');
    expect(ratchet('versions', 'lineage', 'nosuch', '--svg', unknown).status).toBe(2);
    expect(existsSync(unknown)).toBe(false);
  });

  it('escapes hostile tags and module ids in the Graphviz source', () => {
    const v = {
      moduleId: 'm',
      version: 'v1',
      parentVersion: null,
      tags: ['a"b\\'],
      status: 'active',
    } as VersionRecord;
    const dot = lineageGraphDot('x"; evil', [v]);
    expect(dot.split('\n')[0]).toBe('digraph "x\\"; evil" {');
    expect(dot).toContain('label="v1\\n★ active\\na\\"b\\\\"');
  });
});
