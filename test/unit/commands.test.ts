/**
 * The one command runner, on real processes: whole-group kill at the
 * timeout, nothing left behind (in the group or escaped with setsid), output
 * limits, a missing cwd, and leftovers of an earlier command swept first.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  COMMAND_ID_ENV,
  killProcessesInDir,
  processesInDir,
  runCommand,
} from '../../activities/infra/commands';

const dirs: string[] = [];
function workspace(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'ratchet-cmd-'));
  dirs.push(dir);
  return dir;
}
afterEach(async () => {
  for (const dir of dirs.splice(0)) {
    await killProcessesInDir(dir);
    rmSync(dir, { recursive: true, force: true });
  }
});

describe('runCommand', () => {
  it('kills the whole process group at the timeout', async () => {
    const cwd = workspace();
    const r = await runCommand({
      command: 'sleep 600 & sleep 600',
      cwd,
      timeoutSec: 1,
      killGraceMs: 200,
    });
    expect(r).toMatchObject({ timedOut: true, exitCode: null });
    expect(await processesInDir(cwd)).toEqual([]);
  });

  it('reports and kills what a command leaves running in its group', async () => {
    const cwd = workspace();
    const r = await runCommand({ command: 'sleep 600 & echo started', cwd, timeoutSec: 30 });
    expect(r).toMatchObject({ exitCode: 0, timedOut: false });
    expect(r.stdout.trim()).toBe('started');
    expect(r.leftProcesses).toBeGreaterThan(0);
    expect(await processesInDir(cwd)).toEqual([]);
  });

  it('finds a daemon that escaped its group (setsid) by its cwd, and kills it', async () => {
    const cwd = workspace();
    const r = await runCommand({
      command: 'setsid sleep 600 < /dev/null > /dev/null 2>&1 & exit 0',
      cwd,
      timeoutSec: 30,
    });
    expect(r.leftProcesses).toBeGreaterThan(0);
    expect(await processesInDir(cwd)).toEqual([]);
  });

  it('keeps stdout up to its limit and says it cut it', async () => {
    const r = await runCommand({
      command: 'head -c 100000 /dev/zero | tr "\\0" a',
      cwd: workspace(),
      timeoutSec: 30,
      limits: { stdoutBytes: 1000 },
    });
    expect(r.stdout.length).toBe(1000);
    expect(r.stdoutTruncated).toBe(true);
  });

  it('reports a cwd that is gone instead of throwing', async () => {
    const r = await runCommand({
      command: 'true',
      cwd: path.join(workspace(), 'gone'),
      timeoutSec: 5,
    });
    expect(r.spawnError).toMatch(/ENOENT|gone|no such/i);
  });

  it('sweeps marked leftovers of an earlier command before running in an exclusive cwd', async () => {
    const cwd = workspace();
    const orphan = spawn('sleep', ['600'], {
      cwd,
      env: { ...process.env, [COMMAND_ID_ENV]: 'from-a-dead-worker' },
      detached: true,
      stdio: 'ignore',
    });
    orphan.unref();
    await expect.poll(() => processesInDir(cwd, true)).toContain(orphan.pid);
    const r = await runCommand({ command: 'true', cwd, timeoutSec: 5, exclusiveCwd: true });
    expect(r.exitCode).toBe(0);
    expect(await processesInDir(cwd)).toEqual([]);
  });

  it('never touches an unmarked process in the same directory', async () => {
    const cwd = workspace();
    const bystander = spawn('sleep', ['600'], { cwd, detached: true, stdio: 'ignore' });
    bystander.unref();
    try {
      await expect.poll(() => processesInDir(cwd)).toContain(bystander.pid);
      await runCommand({ command: 'true', cwd, timeoutSec: 5, exclusiveCwd: true });
      expect(await processesInDir(cwd)).toContain(bystander.pid);
    } finally {
      bystander.kill('SIGKILL');
    }
  });
});
