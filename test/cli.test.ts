/** The CLI as users' scripts call it: help everywhere, meaningful exit codes. */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const BIN = path.join(__dirname, '..', 'bin', 'ratchet.js');

function ratchet(args: string[], env: NodeJS.ProcessEnv = {}) {
  const res = spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
    timeout: 30_000,
  });
  return { code: res.status, stdout: res.stdout, stderr: res.stderr };
}

describe('ratchet CLI', () => {
  it('has --help on every command', () => {
    const top = ratchet(['--help']);
    expect(top.code).toBe(0);
    const commands = [...top.stdout.matchAll(/^ {2}([a-z][a-z-]*)(?: |$)/gm)]
      .map((m) => m[1]!)
      .filter((c) => c !== 'help');
    expect(commands).toEqual(expect.arrayContaining(['dev', 'doctor', 'health', 'ping']));
    for (const command of commands) {
      const res = ratchet([command, '--help']);
      expect(res.code, command).toBe(0);
      expect(res.stdout, command).toContain(`Usage: ratchet ${command}`);
    }
  });

  it('exits 2 on usage errors and bad configuration, naming the problem', () => {
    expect(ratchet(['no-such-verb']).code).toBe(2);
    expect(ratchet(['ping', '--hold', 'soon']).code).toBe(2);
    expect(ratchet(['doctor', '--only', 'worker,nope']).code).toBe(2);
    const bad = ratchet(['doctor'], { TEMPORAL_ADDRESS: 'not-an-address' });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/temporal\.address \(from TEMPORAL_ADDRESS\)/);
  });

  it('doctor --json reports each check and exits 1 when the server is absent', () => {
    const res = ratchet(['doctor', '--json'], {
      TEMPORAL_ADDRESS: '127.0.0.1:1',
      RATCHET_UI_URL: 'http://127.0.0.1:1',
    });
    expect(res.code).toBe(1);
    const report = JSON.parse(res.stdout) as {
      ok: boolean;
      checks: Array<{ name: string; ok: boolean }>;
    };
    expect(report.ok).toBe(false);
    expect(report.checks.map((c) => c.name)).toEqual([
      'temporal-cli',
      'server',
      'namespace',
      'search-attributes',
      'worker',
      'host-queue',
      'hosts',
      'web-ui',
      'sandbox',
    ]);
    expect(report.checks.find((c) => c.name === 'server')?.ok).toBe(false);
  });
});
