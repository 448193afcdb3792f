/**
 * `ratchet dev` on a terminal: the worker's info lines go to
 * <dataDir>/logs/worker.log, only warnings and errors reach the terminal;
 * `--verbose` puts everything back on the terminal and writes no file.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = path.join(__dirname, '..', '..');
const dirs: string[] = [];

function run(verbose: boolean) {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'ratchet-devlog-'));
  dirs.push(dataDir);
  const res = spawnSync(
    process.execPath,
    [path.join(ROOT, 'bin', 'run-ts.js'), path.join(__dirname, 'devLoggerMain.ts')],
    {
      encoding: 'utf8',
      env: { ...process.env, RATCHET_DATA_DIR: dataDir, VERBOSE: verbose ? '1' : '0' },
    },
  );
  expect(res.status, res.stderr).toBe(0);
  return {
    dataDir,
    stderr: res.stderr,
    file: (JSON.parse(res.stdout) as { file: string | null }).file,
  };
}

describe('dev logging on a terminal', () => {
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('writes every line to the log file and only warnings and errors to the terminal', () => {
    const { dataDir, stderr, file } = run(false);
    expect(file).toBe(path.join(dataDir, 'logs', 'worker.log'));
    const lines = readFileSync(file!, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { msg: string });
    expect(lines.map((l) => l.msg)).toEqual([
      'activity completed',
      'compensation attempt failed',
      'worker crashed',
    ]);
    expect(stderr).not.toContain('activity completed');
    expect(stderr).not.toContain('abc');
    expect(stderr).toContain('compensation attempt failed');
    expect(stderr).toContain('worker crashed');
  });

  it('shows everything on the terminal with --verbose, and writes no file', () => {
    const { dataDir, stderr, file } = run(true);
    expect(file).toBeNull();
    expect(existsSync(path.join(dataDir, 'logs'))).toBe(false);
    expect(stderr).toContain('activity completed');
    expect(stderr).toContain('worker crashed');
  });
});
