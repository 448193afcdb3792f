/**
 * `ratchet pipeline run --from-step / --from-checkpoint` and `--lane` refuse
 * bad starts with exit 2 before anything runs (no server is contacted: the
 * address points nowhere), naming the problem.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from './inProcessCli';

const base = mkdtempSync(path.join(tmpdir(), 'ratchet-pipecli-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));
const ws = path.join(base, 'ws');
mkdirSync(ws);
const file = path.join(base, 'ci.yml');
writeFileSync(
  file,
  'name: ci\nsteps:\n  - { name: build, run: "true" }\n  - { name: test, run: "true", lanes: [heavy] }\n',
);
const env = { RATCHET_DATA_DIR: path.join(base, 'data'), TEMPORAL_ADDRESS: '127.0.0.1:1' };
const run = (...args: string[]) =>
  runCli(['pipeline', 'run', file, '--workspace', ws, ...args], env);

describe('pipeline run: partial starts refused up front', () => {
  it('names an unknown step, one not in the lane, a missing checkpoint, and a bad lane', async () => {
    const unknown = await run('--from-step', 'deploy');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/no step "deploy" in this lane \(steps: build\)/);
    // `test` only runs in heavy: from the standard lane it is not a step
    expect((await run('--from-step', 'test')).code).toBe(2);
    const missing = await run('--from-checkpoint', 'ci@v9');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/ci@v9/);
    const notAnId = await run('--from-checkpoint', '../../etc');
    expect(notAnId.code).toBe(2);
    const lane = await run('--lane', 'warp');
    expect(lane.code).toBe(2);
    expect(lane.stderr).toMatch(/--lane must be one of docs, standard, heavy \(or fast\)/);
  });
});
