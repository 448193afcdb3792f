/**
 * `ratchet evolve start` refuses settings the cycle would refuse at its
 * start — the module's own settings against the flags, a service that
 * cannot be honoured, a hand-edited module config — with exit 2 naming the
 * keys, and no workflow created (proven against a control start that is).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestEnv, taskQueueFor, type TestEnv } from '../helpers';
import { ratchetCli } from '../support/cli';
import { runCli } from '../seeds/inProcessCli';

let env: TestEnv;
beforeAll(async () => {
  env = await createTestEnv();
});
afterAll(async () => {
  await env?.teardown();
});

describe('evolve start: contradicting settings', () => {
  it('exits 2 naming the keys and starts nothing', async () => {
    const dataDir = env.tempDir('ratchet-evolve-refuse-data-');
    const workspace = path.join(env.tempDir('ratchet-evolve-refuse-'), 'refused-mod');
    mkdirSync(workspace);
    writeFileSync(path.join(workspace, 'a.txt'), 'a\n');
    const m = `refused-${Math.random().toString(36).slice(2, 8)}`;
    const cliEnv = {
      TEMPORAL_ADDRESS: env.address,
      RATCHET_TASK_QUEUE: taskQueueFor('evolve-refuse'),
      RATCHET_DATA_DIR: dataDir,
    };
    const start = (...extra: string[]) =>
      runCli(
        [
          'evolve',
          'start',
          '--module',
          m,
          '--workspace',
          workspace,
          '--mutator',
          'true',
          '--test',
          'true',
          ...extra,
        ],
        cliEnv,
      );

    // The module's own setting against a flag: one rejects, the other reverts.
    expect(
      (await runCli(['versions', 'config', m, '--auto-rollback-on-breaking'], cliEnv)).code,
    ).toBe(0);
    const flags = await start('--reject-breaking', '--json');
    expect(flags.code).toBe(2);
    expect(flags.stdout).toBe('');
    expect(flags.stderr).toMatch(
      /refused, nothing started: module \S+: rejectBreaking and autoRollbackOnBreaking/,
    );

    // A service that cannot be honoured, from a config file (the real binary, once).
    const config = path.join(workspace, '..', 'evolve.json');
    writeFileSync(
      config,
      JSON.stringify({
        serve: 'node service.js',
        health: 'true',
        healthIntervalSec: 20,
        healthWindowSec: 5,
      }),
    );
    const service = await ratchetCli(
      [
        'evolve',
        'start',
        '--module',
        m,
        '--workspace',
        workspace,
        '--mutator',
        'true',
        '--test',
        'true',
        '--config',
        config,
      ],
      cliEnv,
    );
    expect(service.code).toBe(2);
    expect(service.stderr).toMatch(/healthIntervalSec: 20s is longer than healthWindowSec \(5s\)/);

    // A hand-edited module config the CLI would never write: a probe with no service.
    writeFileSync(
      path.join(dataDir, 'checkpoints', 'modules', `${m}.config.json`),
      JSON.stringify({ health: 'http://127.0.0.1:9/health' }),
    );
    const edited = await start();
    expect(edited.code).toBe(2);
    expect(edited.stderr).toMatch(/health: is set but `serve` is not/);

    // Control: settings that agree start a cycle (no worker: it only waits on its queue).
    writeFileSync(path.join(dataDir, 'checkpoints', 'modules', `${m}.config.json`), '{}');
    const ok = await start('--json');
    expect(ok.code, ok.stderr).toBe(0);
    const { workflowId } = JSON.parse(ok.stdout) as { workflowId: string };
    try {
      // Once visibility shows the control, it is the module's only run: the refusals created none.
      const runs = async () => {
        const ids: string[] = [];
        for await (const wf of env.client.workflow.list({ query: `RatchetModuleId = '${m}'` }))
          ids.push(wf.workflowId);
        return ids;
      };
      await expect.poll(runs, { timeout: 30_000, interval: 250 }).toContain(workflowId);
      expect(await runs()).toEqual([workflowId]);
    } finally {
      await env.client.workflow.getHandle(workflowId).terminate('test control');
    }
  });
});
