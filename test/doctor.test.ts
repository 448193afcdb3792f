/**
 * `ratchet doctor --only`: only the named checks run — proven by a Web UI
 * that hangs every request and counts them (a health check must never touch
 * it), a server address that answers nothing, and unknown names refused.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDoctor } from '../client/commands/doctor';
import { Settings } from '../config/settings';
import { createTestEnv, taskQueueFor, type TestEnv } from './helpers';
import { runCli } from './seeds/inProcessCli';

let env: TestEnv;
let ui: Server;
let uiUrl: string;
/** Requests the hanging Web UI received. */
let uiRequests = 0;

beforeAll(async () => {
  env = await createTestEnv();
  // The adversary: a Web UI that accepts and never answers (a probe would wait out its 3 s).
  ui = createServer(() => void uiRequests++);
  await new Promise<void>((resolve) => ui.listen(0, '127.0.0.1', resolve));
  uiUrl = `http://127.0.0.1:${(ui.address() as AddressInfo).port}`;
});
afterAll(async () => {
  ui?.closeAllConnections();
  await new Promise((resolve) => ui?.close(resolve));
  await env?.teardown();
});

describe('ratchet doctor --only', () => {
  it('runs only the named checks: a worker health check never probes the Web UI', async () => {
    const taskQueue = taskQueueFor('doctor-only');
    const dataDir = env.tempDir('ratchet-doctor-');
    const settings = Settings.parse({
      temporal: { address: env.address },
      taskQueue,
      dataDir,
      uiUrl,
    });
    // Same data dir: the worker serves the host queue this host's doctor looks for.
    const worker = await env.createWorker(taskQueue, { dataDir });
    await worker.runUntil(async () => {
      // The worker's pollers show up once it polls (its host queue's too). Usual order, nothing
      // else: the server connection they need is not reported as a check of its own.
      await expect
        .poll(
          async () =>
            (await runDoctor(settings, ['host-queue', 'worker'])).map((c) => [
              c.name,
              c.ok,
              c.detail,
            ]),
          { timeout: 60_000, interval: 500 },
        )
        .toEqual([
          ['worker', true, expect.stringMatching(/poller/)],
          ['host-queue', true, expect.any(String)],
        ]);
    });
    expect(uiRequests).toBe(0);

    // The same through the real CLI (in-process), --json.
    const cli = await runCli(['doctor', '--only', 'namespace,search-attributes', '--json'], {
      TEMPORAL_ADDRESS: env.address,
      RATCHET_UI_URL: uiUrl,
    });
    expect(cli.code).toBe(0);
    expect(JSON.parse(cli.stdout)).toEqual({
      ok: true,
      checks: [
        { name: 'namespace', ok: true, detail: 'default' },
        { name: 'search-attributes', ok: true, detail: 'all registered' },
      ],
    });
    expect(uiRequests).toBe(0);
  });

  it('a named check that needs the server says it is unreachable; web-ui alone is the one that probes', async () => {
    const away = Settings.parse({
      temporal: { address: '127.0.0.1:1' },
      dataDir: env.tempDir('ratchet-doctor-'),
      uiUrl: 'http://127.0.0.1:1',
    });
    const [namespace, ...rest] = await runDoctor(away, ['namespace']);
    expect(rest).toEqual([]);
    expect(namespace).toMatchObject({ name: 'namespace', ok: false });
    expect(namespace?.detail).toMatch(/^server not reachable/);

    // Positive control: the probe the others skip does reach the Web UI (and times out on it).
    const [webUi] = await runDoctor({ ...away, uiUrl }, ['web-ui']);
    expect(webUi).toMatchObject({ name: 'web-ui', ok: false });
    expect(uiRequests).toBe(1);
  });

  it('refuses an unknown name before running anything: exit 2, naming it and the valid ones', async () => {
    const res = await runCli(['doctor', '--only', 'worker,nope', '--json'], {
      TEMPORAL_ADDRESS: env.address,
      RATCHET_UI_URL: uiUrl,
    });
    expect(res.code).toBe(2);
    expect(res.stdout).toBe('');
    expect(res.stderr).toMatch(/unknown check "nope"/);
    expect(res.stderr).toMatch(
      /valid: temporal-cli, server, namespace, search-attributes, worker, host-queue, hosts, web-ui, sandbox/,
    );
    await expect(runDoctor(Settings.parse({}), ['nope'])).rejects.toThrow(/nope/);
  });
});
