/**
 * The shared plumbing against its adversaries: a stray GIT_DIR in the
 * environment, a lock holder SIGKILLed while holding the lock, racing
 * writers in several processes, a recycled pid, a shell command's children.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readJson, writeJsonAtomic } from '../../activities/infra/atomicFile';
import { gitIn } from '../../activities/infra/git';
import { withFileLock } from '../../activities/infra/locks';
import {
  isAlive,
  ownedBy,
  ownedProcesses,
  spawnDetached,
  stopProcess,
} from '../../activities/infra/processes';
import { makeRepo } from '../operations/support';

const root = mkdtempSync(path.join(tmpdir(), 'ratchet-infra-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('infra: git', () => {
  it('ignores a stray GIT_DIR / GIT_WORK_TREE in the environment', async () => {
    const a = makeRepo(path.join(root, 'a'));
    const b = makeRepo(path.join(root, 'b'));
    const saved = { ...process.env };
    process.env.GIT_DIR = path.join(b, '.git');
    process.env.GIT_WORK_TREE = b;
    try {
      await gitIn(a, ['branch', 'only-in-a']);
    } finally {
      process.env = saved;
    }
    const branchesOf = (r: string) =>
      execFileSync('git', ['-C', r, 'branch', '--format=%(refname:short)'], { encoding: 'utf8' });
    expect(branchesOf(a)).toContain('only-in-a');
    expect(branchesOf(b)).not.toContain('only-in-a');
  });
});

describe('infra: locks and atomic writes', () => {
  it('serialises read-modify-write across processes, and takes over from a SIGKILLed holder', async () => {
    const file = path.join(root, 'counter.json');
    await writeJsonAtomic(file, { n: 0 });
    // A holder that takes the lock and is SIGKILLed while holding it.
    const holder = spawn(
      process.execPath,
      [
        '-e',
        `require('proper-lockfile').lock(${JSON.stringify(file)}, { realpath: false, stale: 2000 })` +
          `.then(() => { console.log('held'); setInterval(() => {}, 1000); })`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    await new Promise<void>((resolve) => holder.stdout.once('data', () => resolve()));
    holder.kill('SIGKILL');
    const bump = () =>
      withFileLock(
        file,
        async () => {
          const cur = (await readJson<{ n: number }>(file))!;
          await writeJsonAtomic(file, { n: cur.n + 1 });
        },
        { staleMs: 2000 },
      );
    // In this process and in two others at once.
    const child = (k: number) =>
      new Promise<number | null>((resolve) => {
        const p = spawn(
          process.execPath,
          [
            path.join(__dirname, '..', '..', 'bin', 'run-ts.js'),
            path.join(__dirname, 'lockBumper.ts'),
            file,
            String(k),
          ],
          { stdio: 'inherit' },
        );
        p.on('exit', resolve);
      });
    const results = await Promise.all([...Array.from({ length: 20 }, bump), child(20), child(20)]);
    expect(results.slice(20)).toEqual([0, 0]);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ n: 60 });
  }, 60_000);
});

describe('infra: processes', () => {
  it('spawns detached with an owner tag, never signals a process not its own, stops the whole group', async () => {
    const dir = path.join(root, 'proc');
    mkdirSync(dir, { recursive: true });
    const log = path.join(dir, 'log');
    const pid = await spawnDetached('sh', ['-c', 'sleep 60 & sleep 60; wait'], {
      cwd: dir,
      logFile: log,
      owner: 'owner-a',
      env: { RATCHET_DATA_DIR: dir },
    });
    await expect
      .poll(async () => (await ownedProcesses()).filter((p) => p.owner === 'owner-a').length)
      .toBeGreaterThanOrEqual(3);
    expect(await ownedBy(pid, 'owner-a')).toBe(true);
    expect(await ownedBy(pid, 'owner-b')).toBe(false);
    expect(await stopProcess(pid, 'owner-b')).toBe('not_running'); // not its owner: untouched
    expect(await isAlive(pid)).toBe(true);
    expect(await stopProcess(pid, 'owner-a')).toMatch(/terminated|killed/);
    await expect
      .poll(async () => (await ownedProcesses()).filter((p) => p.owner === 'owner-a'))
      .toEqual([]);
    writeFileSync(log, '');
  });
});
