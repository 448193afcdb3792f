/**
 * Real commands through the sandbox's spawn spec, each against its adversary:
 * a command that reads the environment, writes where it must not, allocates
 * too much, daemonizes, opens a TCP connection, calls the control plane. The
 * assertions look at the real world (files on the machine, processes under
 * /proc, a real listener), not only at the command's own output.
 */
import { existsSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DEFAULT_SANDBOX_SETTINGS, type SandboxSettings } from '../../domain/sandbox';
import {
  describeSandbox,
  detectSandbox,
  workerSecrets,
  type SandboxHost,
} from '../../activities/infra/sandbox';
import { BIN } from '../support/cli';
import { runSandboxed } from './run';

const dirs: string[] = [];
const temp = (prefix: string) => {
  const d = mkdtempSync(path.join(tmpdir(), prefix));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function settings(patch: Partial<SandboxSettings> = {}, limits = {}): SandboxSettings {
  return {
    ...DEFAULT_SANDBOX_SETTINGS,
    ...patch,
    limits: { ...DEFAULT_SANDBOX_SETTINGS.limits, ...limits },
  };
}

/** Host pids whose cwd is inside dir: what a command left running. */
function processesIn(dir: string): number[] {
  const found: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const cwd = readlinkSync(`/proc/${name}/cwd`);
      if (cwd === dir || cwd.startsWith(`${dir}/`)) found.push(Number(name));
    } catch {
      // gone, or not ours
    }
  }
  return found;
}

let machine: SandboxHost;
beforeAll(async () => {
  machine = await detectSandbox();
  if (!machine.bwrap)
    console.warn(`SKIPPING bubblewrap cases: ${machine.bwrapProblem} (apt-get install bubblewrap)`);
});
const withBwrap = () => machine.bwrap !== null;

/** The same machine, as if bubblewrap were missing: the fallback. */
function noBwrap(): SandboxHost {
  return { ...machine, bwrap: null, bwrapProblem: 'pretend missing' };
}
type HostChoice = () => SandboxHost | undefined;
const sandboxed: HostChoice = () => undefined;

describe('environment', () => {
  const hostileEnv = {
    PATH: process.env.PATH,
    LANG: 'C.UTF-8',
    TEMPORAL_ADDRESS: '127.0.0.1:7233',
    TEMPORAL_API_KEY: 'secret-key',
    RATCHET_DATA_DIR: '/somewhere/.ratchet',
    RATCHET_TASK_QUEUE: 'ratchet',
    AWS_SECRET_ACCESS_KEY: 'aws',
    GITHUB_TOKEN: 'ghp',
    DATABASE_PASSWORD: 'pw',
    NODE_OPTIONS: '--require /evil.js',
    MODULE_FLAG: 'named',
    OPENAI_API_KEY: 'named-secret',
  };

  it.each([
    ['bwrap', sandboxed],
    ['fallback', noBwrap],
  ] as Array<[string, HostChoice]>)(
    '%s: only the allow-list and named variables reach the command',
    async (_, h) => {
      const ws = temp('sbx-env-');
      const run = await runSandboxed(
        {
          command: 'env > env.txt',
          workspace: ws,
          settings: settings({ env: ['MODULE_FLAG', 'OPENAI_API_KEY'] }),
          hide: [],
          sourceEnv: hostileEnv,
          extraEnv: { GIT_CEILING_DIRECTORIES: ws },
        },
        { host: h() },
      );
      expect(run.reason).toBe('ok');
      const printed = readFileSync(path.join(ws, 'env.txt'), 'utf8');
      const names = printed
        .split('\n')
        .filter(Boolean)
        .map((l) => l.split('=')[0]);
      expect(names.filter((n) => /^(TEMPORAL|RATCHET|AWS)_|TOKEN|PASSWORD/.test(n!))).toEqual([]);
      expect(names).not.toContain('NODE_OPTIONS');
      expect(printed).toContain('MODULE_FLAG=named');
      expect(printed).toContain('OPENAI_API_KEY=named-secret');
      expect(printed).toContain(`GIT_CEILING_DIRECTORIES=${ws}`);
      const home = /^HOME=(.*)$/m.exec(printed)?.[1];
      expect(home).not.toBe(homedir());
    },
  );
});

describe.runIf(process.platform === 'linux')('filesystem', () => {
  it('the data dir is invisible and read-only, ~ and the rest of the machine are read-only', async () => {
    if (!withBwrap()) return;
    const ws = temp('sbx-fs-');
    const data = temp('sbx-data-');
    await writeFile(path.join(data, 'lineage.json'), '{"ok":true}');
    const marker = `ratchet-sandbox-test-${process.pid}`;
    const run = await runSandboxed({
      command: [
        `ls -A "${data}" > seen.txt`,
        `cat "${data}/lineage.json" >> seen.txt 2>&1`,
        `echo hacked > "${data}/lineage.json" || echo data-refused >> result.txt`,
        `echo x > "${data}/new" || echo data-new-refused >> result.txt`,
        `echo x > "${homedir()}/${marker}" || echo home-refused >> result.txt`,
        `echo x > ~/inside-home && echo sandbox-home-ok >> result.txt`,
        `echo x > /etc/${marker} || echo etc-refused >> result.txt`,
        `echo x > /tmp/scratch && echo tmp-ok >> result.txt`,
      ].join('; '),
      workspace: ws,
      settings: settings(),
      hide: [data],
    });
    expect(run.reason).toBe('ok');
    expect(readFileSync(path.join(ws, 'result.txt'), 'utf8').split('\n').filter(Boolean)).toEqual([
      'data-refused',
      'data-new-refused',
      'home-refused',
      'sandbox-home-ok',
      'etc-refused',
      'tmp-ok',
    ]);
    expect(readFileSync(path.join(ws, 'seen.txt'), 'utf8')).not.toContain('ok');
    // The machine is as it was.
    expect(readFileSync(path.join(data, 'lineage.json'), 'utf8')).toBe('{"ok":true}');
    expect(readdirSync(data)).toEqual(['lineage.json']);
    expect(existsSync(path.join(homedir(), marker))).toBe(false);
    expect(existsSync(path.join('/etc', marker))).toBe(false);
    expect(existsSync('/tmp/scratch')).toBe(false);
  });

  it('the private /tmp hides the host /tmp, except what `expose` shows read-only', async () => {
    if (!withBwrap()) return;
    const ws = temp('sbx-expose-');
    const tools = temp('sbx-tools-');
    await writeFile(path.join(tools, 'mutate.sh'), 'echo mutated > changed.txt\n');
    const command = `sh "${tools}/mutate.sh"; echo x > "${tools}/mine" || echo refused > refused.txt`;
    await runSandboxed({ command, workspace: ws, settings: settings(), hide: [] });
    expect(existsSync(path.join(ws, 'changed.txt'))).toBe(false);
    const shown = await runSandboxed({
      command,
      workspace: ws,
      settings: settings({ expose: [tools] }),
      hide: [],
    });
    expect(shown.reason).toBe('ok');
    expect(readFileSync(path.join(ws, 'changed.txt'), 'utf8')).toBe('mutated\n');
    expect(readFileSync(path.join(ws, 'refused.txt'), 'utf8')).toBe('refused\n');
    expect(existsSync(path.join(tools, 'mine'))).toBe(false);
  });

  it('a data dir inside the workspace is hidden too; a workspace inside a hidden dir is refused', async () => {
    if (!withBwrap()) return;
    const ws = temp('sbx-nested-');
    await mkdir(path.join(ws, '.ratchet'));
    await writeFile(path.join(ws, '.ratchet', 'secret'), 'keep');
    const run = await runSandboxed({
      command: 'ls -A .ratchet > seen.txt; echo x > .ratchet/secret || echo refused > result.txt',
      workspace: ws,
      settings: settings(),
      hide: [path.join(ws, '.ratchet')],
    });
    expect(run.reason).toBe('ok');
    expect(readFileSync(path.join(ws, 'seen.txt'), 'utf8')).toBe('');
    expect(readFileSync(path.join(ws, 'result.txt'), 'utf8')).toBe('refused\n');
    expect(readFileSync(path.join(ws, '.ratchet', 'secret'), 'utf8')).toBe('keep');
    await expect(
      runSandboxed({
        command: 'true',
        workspace: ws,
        settings: settings(),
        hide: [path.dirname(ws)],
      }),
    ).rejects.toThrow(/lies inside/);
    await expect(
      runSandboxed({ command: 'true', workspace: ws, cwd: '..', settings: settings(), hide: [] }),
    ).rejects.toThrow(/outside the workspace/);
  });
});

describe('processes', () => {
  const daemonize =
    // A grandchild in its own session (escapes a process-group kill), proven alive before the command ends.
    `setsid sh -c 'while :; do date > alive; sleep 0.1; done' > /dev/null 2>&1 < /dev/null & ` +
    `while [ ! -s alive ]; do sleep 0.05; done; echo started`;

  it.each([
    ['bwrap (pid namespace)', sandboxed, () => withBwrap()],
    ['fallback (cgroup)', noBwrap, () => machine.cgroup !== null],
  ] as Array<[string, HostChoice, () => boolean]>)(
    '%s: a daemon the command starts does not outlive it',
    async (label, h, applies) => {
      if (!applies()) {
        console.warn(`SKIPPING ${label}: not available on this machine`);
        return;
      }
      const ws = temp('sbx-daemon-');
      const run = await runSandboxed(
        { command: daemonize, workspace: ws, settings: settings(), hide: [] },
        { host: h() },
      );
      expect(run.stdout).toContain('started');
      expect(run.reason).toBe('ok');
      await expect.poll(() => processesIn(ws), { timeout: 10_000 }).toEqual([]);
    },
  );

  it('a fork bomb meets the process limit', async () => {
    if (!machine.cgroup && machine.root) {
      console.warn('SKIPPING process limit: root without a writable pids cgroup');
      return;
    }
    const ws = temp('sbx-fork-');
    const run = await runSandboxed({
      command: 'i=0; while [ $i -lt 64 ]; do sleep 30 & i=$((i+1)); done; wait',
      workspace: ws,
      settings: settings({}, { processes: 16 }),
      hide: [],
    });
    expect(run).toMatchObject({ reason: 'resource_limit', limit: 'processes' });
    await expect.poll(() => processesIn(ws), { timeout: 10_000 }).toEqual([]);
  });
});

describe('resource limits', () => {
  it.each([
    ['bwrap', sandboxed],
    ['fallback', noBwrap],
  ] as Array<[string, HostChoice]>)(
    '%s: far more memory than the limit is stopped and classified',
    async (_, h) => {
      const ws = temp('sbx-mem-');
      const run = await runSandboxed(
        {
          command: `node -e 'const a = []; for (;;) a.push(Buffer.alloc(64 << 20, 1))'`,
          workspace: ws,
          settings: settings({}, { memoryMb: 256 }),
          hide: [],
        },
        { host: h() },
      );
      expect(run).toMatchObject({ reason: 'resource_limit', limit: 'memory' });
    },
  );

  it('CPU time, file size and output each end the command as resource_limit', async () => {
    const ws = temp('sbx-limits-');
    const base = { workspace: ws, hide: [] };
    const cpu = await runSandboxed({
      ...base,
      command: `node -e 'for (;;) {}'`,
      settings: settings({}, { cpuSec: 1 }),
    });
    expect(cpu).toMatchObject({ reason: 'resource_limit', limit: 'cpu' });
    const disk = await runSandboxed({
      ...base,
      command: 'head -c 3000000 /dev/zero > big',
      settings: settings({}, { diskWriteMb: 1 }),
    });
    expect(disk).toMatchObject({ reason: 'resource_limit', limit: 'disk' });
    const output = await runSandboxed({
      ...base,
      command: 'yes',
      settings: settings({}, { outputBytes: 64 * 1024 }),
    });
    expect(output).toMatchObject({ reason: 'resource_limit', limit: 'output' });
    await expect.poll(() => processesIn(ws), { timeout: 10_000 }).toEqual([]);
  });
});

describe('network', () => {
  let server: Server;
  let port: number;
  let accepted = 0;
  beforeAll(async () => {
    server = createServer((s) => {
      accepted++;
      s.on('error', () => undefined); // the client may hang up first
      s.end('hello\n');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as { port: number }).port;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  const connect = (p: number) =>
    `node -e "require('net').connect(${p}, '127.0.0.1').on('connect', () => { console.log('CONNECTED'); process.exit(0) }).on('error', (e) => { console.log('REFUSED', e.code); process.exit(3) })"`;

  it('a TCP connection to a loopback listener is refused; network: true allows it', async () => {
    if (!withBwrap()) return;
    const ws = temp('sbx-net-');
    const denied = await runSandboxed({
      command: connect(port),
      workspace: ws,
      settings: settings(),
      hide: [],
    });
    expect(denied.stdout).toMatch(/^REFUSED/);
    expect(accepted).toBe(0);
    const allowed = await runSandboxed({
      command: connect(port),
      workspace: ws,
      settings: settings({ network: true }),
      hide: [],
    });
    expect(allowed.stdout).toContain('CONNECTED');
    expect(accepted).toBe(1);
  });

  it('the ratchet CLI inside the sandbox cannot reach the Temporal server, even given its address', async () => {
    if (!withBwrap()) return;
    const ws = temp('sbx-cli-');
    const address = inject('temporalAddress');
    const command = `TEMPORAL_ADDRESS=${address} node ${BIN} evolve list --json`;
    const run = await runSandboxed({ command, workspace: ws, settings: settings(), hide: [] });
    expect(run.exitCode).not.toBe(0);
    expect(run.stdout).not.toMatch(/^\[/);
    // The same call, unsandboxed, reaches it: the refusal is the sandbox's doing.
    const plain = await runSandboxed({
      command,
      workspace: ws,
      settings: settings({ sandbox: 'off' }),
      hide: [],
    });
    expect(plain.exitCode).toBe(0);
  });
});

describe('modes', () => {
  it('sandbox: required refuses without bubblewrap; preferred falls back; off runs plain', async () => {
    const ws = temp('sbx-mode-');
    await expect(
      runSandboxed(
        {
          command: 'touch ran',
          workspace: ws,
          settings: settings({ sandbox: 'required' }),
          hide: [],
        },
        { host: noBwrap() },
      ),
    ).rejects.toMatchObject({ type: 'SandboxUnavailable' });
    expect(existsSync(path.join(ws, 'ran'))).toBe(false);
    const fallback = await runSandboxed(
      { command: 'touch ran', workspace: ws, settings: settings(), hide: [] },
      { host: noBwrap() },
    );
    expect(fallback.prepared.isolation).toBe('limits');
    expect(existsSync(path.join(ws, 'ran'))).toBe(true);
    const off = await runSandboxed({
      command: 'true',
      workspace: ws,
      settings: settings({ sandbox: 'off' }),
      hide: [],
    });
    expect(off.prepared.isolation).toBe('off');
  });
});

describe('what doctor and start-up say', () => {
  const base: SandboxHost = {
    bwrap: { path: '/usr/bin/bwrap', version: 'bubblewrap 0.8.0', tmpfsSize: true },
    prlimit: '/usr/bin/prlimit',
    cgroup: null,
    root: true,
  };
  it('names the sandbox in use, and each gap loudly', () => {
    expect(describeSandbox(base)).toEqual({
      ok: true,
      detail:
        'bubblewrap 0.8.0 at /usr/bin/bwrap; rlimits via prlimit, no writable cgroup: process count NOT limited (root ignores RLIMIT_NPROC)',
    });
    const missing = { ...base, bwrap: null, bwrapProblem: 'bubblewrap (bwrap) is not installed' };
    expect(describeSandbox(missing)).toMatchObject({
      ok: false,
      detail: expect.stringMatching(
        /not installed: candidate commands are NOT isolated.*apt-get install bubblewrap/,
      ),
    });
    expect(describeSandbox(missing, 'required').detail).toMatch(/REFUSED/);
    expect(describeSandbox(base, 'off')).toMatchObject({
      ok: false,
      detail: expect.stringMatching(/^sandbox off/),
    });
  });
});

describe('what the worker hides', () => {
  it('the data dir, its config file and the Temporal TLS files, read from the worker environment', async () => {
    if (!withBwrap()) return;
    const ws = temp('sbx-secrets-');
    const data = temp('sbx-secret-data-');
    const etc = temp('sbx-secret-etc-');
    const key = path.join(etc, 'client.key');
    const config = path.join(etc, 'ratchet.config.json');
    await writeFile(key, 'PRIVATE KEY');
    await writeFile(config, '{"temporal":{"apiKey":"k"}}');
    const hide = workerSecrets(data, { RATCHET_CONFIG: config, TEMPORAL_TLS_KEY: key });
    expect(hide).toEqual([data, config, key]);
    const run = await runSandboxed({
      command: `cat "${key}" "${config}" > seen.txt; ls -A "${data}" >> seen.txt`,
      workspace: ws,
      settings: settings(),
      hide,
    });
    expect(run.reason).toBe('ok');
    expect(readFileSync(path.join(ws, 'seen.txt'), 'utf8')).toBe('');
  });
});
