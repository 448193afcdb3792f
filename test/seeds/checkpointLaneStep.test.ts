/**
 * Seed 002's checkpoint calls through the real CLI: `checkpoint create --lane
 * L --step-number N --step-name S`, listing by lane and step, the guide-style
 * label as an id, and `checkpoint validate --verbose` (every check, the step,
 * the workspace's state) — with bad input refused (exit 2, nothing created)
 * and a tampered manifest caught.
 */
import { spawnSync } from 'node:child_process';
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN } from '../support/cli';
import { runCli } from './inProcessCli';

let base: string;
let dataDir: string;
let ws: string;

/** The real binary, once: the rest run `main()` in-process (same code, no tsx start each). */
function spawned(...args: string[]) {
  const res = spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'utf8',
    env: { ...process.env, RATCHET_DATA_DIR: dataDir },
    timeout: 60_000,
  });
  return { code: res.status, stdout: res.stdout, stderr: res.stderr };
}
const ratchet = (...args: string[]) => runCli(args, { RATCHET_DATA_DIR: dataDir });
const json = <T>(res: { stdout: string }) => JSON.parse(res.stdout) as T;
type Cp = { id: string; metadata: Record<string, unknown> };

beforeAll(() => {
  base = mkdtempSync(path.join(tmpdir(), 'ratchet-seed-cp-'));
  dataDir = path.join(base, 'data');
  ws = path.join(base, 'svc');
  mkdirSync(ws);
  writeFileSync(path.join(ws, 'package.json'), '{"dependencies":{"left-pad":"1.0.0"}}');
});
afterAll(() => rmSync(base, { recursive: true, force: true }));

describe('checkpoint create --lane --step-number --step-name', () => {
  it('records lane and step, lists by them, and answers to the guide-style label', async () => {
    const make = (lane: string, n: string, name: string, cli = ratchet) =>
      cli(
        'checkpoint',
        'create',
        '--workspace',
        ws,
        '--lane',
        lane,
        '--step-number',
        n,
        '--step-name',
        name,
        '--json',
      );
    const first = make('standard', '1', 'Building', async (...a: string[]) => spawned(...a));
    expect((await first).code, (await first).stderr).toBe(0);
    const tests = json<Cp>(await make('standard', '3', 'Running tests'));
    const docs = json<Cp>(await make('fast', '1', 'Docs'));
    expect(tests.metadata).toMatchObject({ lane: 'standard', step: 3, stepName: 'Running tests' });
    expect(tests.metadata.label).toMatch(/^standard-step3-\d{8}_\d{6}$/);
    expect(docs.metadata).toMatchObject({ lane: 'docs', step: 1 }); // "fast" is the docs lane

    const ids = async (...filter: string[]) =>
      json<Cp[]>(await ratchet('checkpoint', 'list', '--json', ...filter)).map((c) => c.id);
    expect((await ids('--lane', 'standard')).sort()).toEqual(['svc@v1', 'svc@v2']);
    expect(await ids('--step', '3')).toEqual(['svc@v2']);
    expect(await ids('--step', 'Running tests')).toEqual(['svc@v2']);
    expect(await ids('--lane', 'fast', '--step', '1')).toEqual(['svc@v3']);
    expect(await ids('--lane', 'heavy')).toEqual([]);

    const shown = await ratchet('checkpoint', 'show', String(tests.metadata.label));
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain('checkpoint svc@v2');
    expect(shown.stdout).toContain('Step:      standard step 3 "Running tests"');
  });

  it('refuses partial or bad lane-step flags with exit 2 and creates nothing', async () => {
    const before = json<Cp[]>(await ratchet('checkpoint', 'list', '--json')).length;
    const bad = [
      ['--lane', 'standard'],
      ['--lane', 'warp', '--step-number', '1', '--step-name', 'x'],
      ['--lane', 'standard', '--step-number', 'three', '--step-name', 'x'],
      ['--lane', 'standard', '--step-number', '-1', '--step-name', 'x'],
      ['--lane', 'standard', '--step-number', '1', '--step-name', '  '],
    ];
    for (const flags of bad) {
      const res = await ratchet('checkpoint', 'create', '--workspace', ws, ...flags);
      expect(res.code, flags.join(' ')).toBe(2);
      expect(res.stderr).toMatch(/--lane|--step-number|--step-name/);
    }
    expect(json<Cp[]>(await ratchet('checkpoint', 'list', '--json')).length).toBe(before);
    expect((await ratchet('checkpoint', 'list', '--lane', 'warp')).code).toBe(2);
    expect((await ratchet('checkpoint', 'show', 'standard-step9-20000101_000000')).code).toBe(2);
  });

  it('validate --verbose shows every check, the step and the workspace state; a tampered manifest fails', async () => {
    type V = {
      ok: boolean;
      checkpoints: Array<{
        checkpointId: string;
        ok: boolean;
        checks: Array<{ check: string; ok: boolean }>;
        record: { lane: string; step: number; stepName: string };
        workspace: { checks: Array<{ check: string; ok: boolean; detail: string }> };
      }>;
    };
    const good = await ratchet('checkpoint', 'validate', 'svc@v2', '--verbose', '--json');
    expect(good.code, good.stderr).toBe(0);
    const v = json<V>(good).checkpoints[0]!;
    expect(v.checks.map((c) => c.ok)).toEqual([true, true, true, true, true]);
    expect(v.record).toMatchObject({ lane: 'standard', step: 3, stepName: 'Running tests' });
    expect(v.workspace.checks).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          check: 'dependencies installed',
          ok: false,
          detail: expect.stringMatching(/node_modules is missing/),
        }),
      ]),
    );
    const text = await ratchet('checkpoint', 'validate', 'svc@v2', '--verbose');
    expect(text.stdout).toMatch(/✓ every object present and rehashes to its id/);
    expect(text.stdout).toMatch(/lane standard, step 3 "Running tests"/);

    appendFileSync(path.join(dataDir, 'checkpoints', 'manifests', 'svc', 'v2.json'), ' ');
    const bad = await ratchet('checkpoint', 'validate', 'svc@v2', '--verbose', '--json');
    expect(bad.code).toBe(1);
    const failed = json<V>(bad).checkpoints[0]!.checks.filter((c) => !c.ok);
    expect(failed.map((c) => c.check)).toEqual(['manifest digest matches the lineage']);
  });
});
