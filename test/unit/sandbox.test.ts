import { describe, expect, it } from 'vitest';
import {
  DEFAULT_SANDBOX_SETTINGS,
  SandboxSettings,
  bwrapArgs,
  classifyCommandEnd,
  isSensitiveEnvName,
  prlimitArgs,
  sandboxEnv,
  ulimitScript,
  type CommandEnd,
} from '../../domain/sandbox';

describe('sandbox settings', () => {
  it('defaults: preferred, no network, nothing named, bounded limits', () => {
    expect(DEFAULT_SANDBOX_SETTINGS).toEqual({
      sandbox: 'preferred',
      network: false,
      env: [],
      expose: [],
      limits: {
        memoryMb: 4096,
        cpuSec: 900,
        processes: 512,
        outputBytes: 4_000_000,
        diskWriteMb: 1024,
      },
    });
  });

  it.each([
    [{ sandbox: 'sometimes' }, 'sandbox'],
    [{ network: 'yes' }, 'network'],
    [{ env: ['OK', 'NOT OK'] }, 'env.1'],
    [{ limits: { memoryMb: 0 } }, 'limits.memoryMb'],
    [{ limits: { swap: 1 } }, 'limits'],
    [{ unknownKey: 1 }, ''],
  ])('refuses %j naming %s', (input, field) => {
    const r = SandboxSettings.safeParse(input);
    expect(r.success).toBe(false);
    expect(r.error!.issues.map((i) => i.path.join('.'))).toContain(field);
  });
});

describe('environment allow-list', () => {
  it.each([
    'TEMPORAL_ADDRESS',
    'TEMPORAL_TLS_KEY',
    'RATCHET_DATA_DIR',
    'AWS_SECRET_ACCESS_KEY',
    'AWS_PROFILE',
    'GOOGLE_APPLICATION_CREDENTIALS',
    'AZURE_CLIENT_SECRET',
    'GITHUB_TOKEN',
    'NPM_TOKEN',
    'MY_SERVICE_TOKEN',
    'DB_PASSWORD',
    'STRIPE_API_KEY',
    'OPENAI_API_KEY',
    'SSH_AUTH_SOCK',
  ])('%s is sensitive', (name) => expect(isSensitiveEnvName(name)).toBe(true));

  it.each(['PATH', 'LANG', 'TZ', 'CI', 'NODE_ENV', 'GIT_CEILING_DIRECTORIES', 'KEYBOARD'])(
    '%s is not',
    (name) => expect(isSensitiveEnvName(name)).toBe(false),
  );

  it('passes defaults, named variables and what ratchet sets; sets HOME and TMPDIR', () => {
    const env = sandboxEnv({
      source: {
        PATH: '/bin',
        LANG: 'C',
        USER: 'root',
        TEMPORAL_ADDRESS: 'x',
        FOO: 'foo',
        NPM_TOKEN: 't',
      },
      named: ['FOO', 'NPM_TOKEN', 'ABSENT'],
      extra: {
        GIT_CEILING_DIRECTORIES: '/w',
        RATCHET_ITERATION: '3',
        SKIP: undefined,
      },
      home: '/tmp/home',
      tmp: '/tmp',
    });
    expect(env).toEqual({
      PATH: '/bin',
      LANG: 'C',
      FOO: 'foo',
      NPM_TOKEN: 't',
      GIT_CEILING_DIRECTORIES: '/w',
      RATCHET_ITERATION: '3',
      HOME: '/tmp/home',
      TMPDIR: '/tmp',
    });
  });
});

describe('bwrap argv', () => {
  const spec = {
    workspace: '/tmp/ws',
    cwd: '/tmp/ws/pkg',
    network: false,
    hideDirs: ['/tmp/ws/.ratchet', '/data'],
    hideFiles: ['/etc/tls.key'],
    tmpBytes: 1024,
    command: ['/bin/sh', '-c', 'npm test'],
  };
  const at = (args: string[], ...seq: string[]) =>
    args.findIndex((_, i) => seq.every((s, j) => args[i + j] === s));

  it('layers: read-only host, private /tmp, writable workspace on top, hidden paths last', () => {
    const args = bwrapArgs(spec);
    const ro = at(args, '--ro-bind', '/', '/');
    const tmp = at(args, '--tmpfs', '/tmp');
    const ws = at(args, '--bind', '/tmp/ws', '/tmp/ws');
    const hidden = at(args, '--tmpfs', '/tmp/ws/.ratchet', '--remount-ro', '/tmp/ws/.ratchet');
    const file = at(args, '--ro-bind', '/dev/null', '/etc/tls.key');
    expect([ro, tmp, ws, hidden, file].every((i) => i >= 0)).toBe(true);
    expect(ro < tmp && tmp < ws && ws < hidden && hidden < file).toBe(true);
    expect(at(args, '--size', '1024', '--tmpfs', '/tmp')).toBeGreaterThan(0);
    expect(args.slice(-5)).toEqual(['/tmp/ws/pkg', '--', '/bin/sh', '-c', 'npm test']);
  });

  it('drops capabilities, dies with its parent, own session and pid namespace; network only when asked', () => {
    const args = bwrapArgs(spec);
    for (const flag of ['--die-with-parent', '--new-session', '--unshare-pid', '--unshare-net'])
      expect(args).toContain(flag);
    expect(at(args, '--cap-drop', 'ALL')).toBe(0);
    expect(bwrapArgs({ ...spec, network: true })).not.toContain('--unshare-net');
    expect(bwrapArgs({ ...spec, tmpBytes: undefined })).not.toContain('--size');
  });
});

describe('rlimits', () => {
  const limits = DEFAULT_SANDBOX_SETTINGS.limits;
  it('prlimit: data, cpu with a kill margin, file size, no core; nproc only when not root', () => {
    expect(prlimitArgs(limits, { root: true })).toEqual([
      `--data=${4096 * 1024 * 1024}`,
      '--cpu=900:905',
      `--fsize=${1024 * 1024 * 1024}`,
      '--core=0',
    ]);
    expect(prlimitArgs(limits, { root: false })).toContain('--nproc=512');
  });
  it('ulimit fallback says the same in shell units', () => {
    expect(ulimitScript(limits, { root: false })).toBe(
      `ulimit -d ${4096 * 1024} && ulimit -t 900 && ulimit -f ${1024 * 2048} && ulimit -c 0 && ulimit -p 512 && exec "$@"`,
    );
  });
});

describe('classifying how a command ended', () => {
  const end = (patch: Partial<CommandEnd>): CommandEnd => ({
    exitCode: 0,
    signal: undefined,
    timedOut: false,
    outputExceeded: false,
    stderrTail: '',
    ...patch,
  });
  it.each([
    [end({}), { reason: 'ok' }],
    [end({ exitCode: 1 }), { reason: 'failed' }],
    [end({ exitCode: undefined, signal: 'SIGKILL', timedOut: true }), { reason: 'timeout' }],
    [
      end({ exitCode: undefined, signal: 'SIGKILL', outputExceeded: true }),
      { reason: 'resource_limit', limit: 'output' },
    ],
    [end({ exitCode: undefined, signal: 'SIGXCPU' }), { reason: 'resource_limit', limit: 'cpu' }],
    [end({ exitCode: 152 }), { reason: 'resource_limit', limit: 'cpu' }],
    [end({ exitCode: 153 }), { reason: 'resource_limit', limit: 'disk' }],
    [
      end({ exitCode: 137, cgroup: { oomKilled: true, pidsLimitHit: false } }),
      { reason: 'resource_limit', limit: 'memory' },
    ],
    [
      end({
        exitCode: 134,
        stderrTail:
          'FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory',
      }),
      { reason: 'resource_limit', limit: 'memory' },
    ],
    [
      end({ exitCode: 1, stderrTail: 'Traceback…\nMemoryError\n' }),
      { reason: 'resource_limit', limit: 'memory' },
    ],
    [
      end({
        exitCode: 2,
        stderrTail: 'sh: 1: Cannot fork',
        cgroup: { oomKilled: false, pidsLimitHit: true },
      }),
      { reason: 'resource_limit', limit: 'processes' },
    ],
    [end({ exitCode: 2, stderrTail: 'sh: 1: Cannot fork' }), { reason: 'failed' }],
    [
      end({ exitCode: 1, stderrTail: "bwrap: Can't mount tmpfs on /x: No such file" }),
      { reason: 'sandbox_error' },
    ],
    // a timeout wins over everything it caused
    [
      end({ exitCode: 137, timedOut: true, cgroup: { oomKilled: true, pidsLimitHit: false } }),
      { reason: 'timeout' },
    ],
  ])('%j → %j', (input, expected) => expect(classifyCommandEnd(input)).toEqual(expected));
});
