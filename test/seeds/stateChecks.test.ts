/**
 * The guide's built-in state validation on real directories and git
 * repositories: working directory clean or its changes listed (failing only
 * when asked to require clean), configuration files that parse and validate,
 * and dependencies installed when package.json declares them — each also
 * against a hostile or broken workspace.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createPipelineActivities } from '../../activities/pipelines';
import { builtinStateChecks } from '../../activities/pipelines/stateChecks';

const dirs: string[] = [];
function workspace(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'ratchet-state-'));
  dirs.push(dir);
  return dir;
}
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const byName = async (ws: string, requireCleanWorkdir = false) =>
  Object.fromEntries(
    (await builtinStateChecks(ws, { requireCleanWorkdir })).map((c) => [c.check, c]),
  );

describe('built-in state checks', () => {
  it('working directory: clean, or its changes listed; failing only when clean is required', async () => {
    const ws = workspace();
    const git = (...a: string[]) => execFileSync('git', ['-C', ws, ...a]);
    git('init', '-q');
    writeFileSync(path.join(ws, 'a.txt'), 'a');
    git('add', '-A');
    git('-c', 'user.email=t@t', '-c', 'user.name=t', 'commit', '-qm', 'init');
    expect((await byName(ws))['working directory']).toMatchObject({ ok: true, detail: 'clean' });

    writeFileSync(path.join(ws, 'a.txt'), 'changed');
    writeFileSync(path.join(ws, 'new.txt'), 'n');
    const dirty = (await byName(ws))['working directory']!;
    expect(dirty.ok).toBe(true);
    expect(dirty.detail).toMatch(/2 change\(s\): .*a\.txt.*new\.txt/);
    expect((await byName(ws, true))['working directory']!.ok).toBe(false);

    writeFileSync(path.join(ws, '.git', 'HEAD'), 'garbage\n'); // a repository git cannot read
    expect((await byName(ws))['git repository']).toMatchObject({ ok: false });
  });

  it('configuration: package.json must be a JSON object, ratchet.config.json must validate', async () => {
    const ws = workspace();
    writeFileSync(path.join(ws, 'package.json'), '{ "name": ');
    writeFileSync(path.join(ws, 'ratchet.config.json'), '{ "temporal": { "address": "nope" } }');
    const checks = await byName(ws);
    expect(checks['configuration package.json']!.ok).toBe(false);
    expect(checks['configuration ratchet.config.json']).toMatchObject({
      ok: false,
      detail: expect.stringMatching(/temporal\.address/),
    });
    writeFileSync(path.join(ws, 'package.json'), '[]');
    expect((await byName(ws))['configuration package.json']).toMatchObject({
      ok: false,
      detail: 'not a JSON object',
    });
    writeFileSync(path.join(ws, 'package.json'), '{}');
    writeFileSync(path.join(ws, 'ratchet.config.json'), '{ "taskQueue": "q" }');
    const good = await byName(ws);
    expect(good['configuration package.json']!.ok).toBe(true);
    expect(good['configuration ratchet.config.json']!.ok).toBe(true);
  });

  it('dependencies: node_modules present with every declared package (scoped ones too)', async () => {
    const ws = workspace();
    writeFileSync(
      path.join(ws, 'package.json'),
      JSON.stringify({
        dependencies: { zod: '^4' },
        devDependencies: { '@scope/tool': '1' },
        optionalDependencies: { fsevents: '2' },
      }),
    );
    expect((await byName(ws))['dependencies installed']).toMatchObject({
      ok: false,
      detail: expect.stringMatching(/node_modules is missing/),
    });
    const pkg = (name: string) => {
      mkdirSync(path.join(ws, 'node_modules', name), { recursive: true });
      writeFileSync(path.join(ws, 'node_modules', name, 'package.json'), '{}');
    };
    pkg('zod');
    expect((await byName(ws))['dependencies installed']).toMatchObject({
      ok: false,
      detail: 'missing from node_modules: @scope/tool',
    });
    pkg('@scope/tool');
    // fsevents is optional: absent on this platform is fine
    expect((await byName(ws))['dependencies installed']).toMatchObject({ ok: true });
  });

  it('runs beside the pipeline’s own checks in validatePipelineState', async () => {
    const ws = workspace();
    writeFileSync(path.join(ws, 'package.json'), '{"dependencies":{"zod":"4"}}');
    const result = await createPipelineActivities().validatePipelineState({
      workspace: ws,
      criticalFiles: ['package.json'],
      dependencyChecks: ['true'],
    });
    expect(result.ok).toBe(false);
    expect(result.checks.map((c) => [c.check, c.ok])).toEqual([
      ['critical file package.json', true],
      ['configuration package.json', true],
      ['dependencies installed', false],
      ['dependency check true', true],
    ]);
  });
});
