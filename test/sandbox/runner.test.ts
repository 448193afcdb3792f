/**
 * The one command runner with a sandbox: what it spawns sees only the
 * allow-list, a flood of output is cut off as a limit, a limit hit is named,
 * and a daemon counts as a process left behind.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { processesInDir, runCommand } from '../../activities/infra/commands';
import { DEFAULT_SANDBOX_SETTINGS, type SandboxSettings } from '../../domain/sandbox';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function run(command: string, limits: Partial<SandboxSettings['limits']> = {}) {
  const ws = mkdtempSync(path.join(tmpdir(), 'sbx-runner-'));
  dirs.push(ws);
  const settings = {
    ...DEFAULT_SANDBOX_SETTINGS,
    limits: { ...DEFAULT_SANDBOX_SETTINGS.limits, ...limits },
  };
  return {
    ws,
    result: runCommand({
      command,
      cwd: ws,
      timeoutSec: 60,
      env: { RATCHET_ITERATION: '2' },
      sandbox: { settings, workspace: ws, hide: [] },
    }),
  };
}

describe('runCommand with a sandbox', () => {
  it('passes only the allow-list and what ratchet sets, none of the worker environment', async () => {
    process.env.TEMPORAL_API_KEY = 'worker-secret';
    try {
      const { ws, result } = run('env > env.txt');
      const r = await result;
      expect(r).toMatchObject({ exitCode: 0, limit: null });
      const env = readFileSync(path.join(ws, 'env.txt'), 'utf8');
      expect(env).toContain('RATCHET_ITERATION=2');
      expect(env).not.toContain('TEMPORAL_API_KEY');
      if (r.isolation === 'bwrap') expect(env).not.toContain('RATCHET_COMMAND_ID');
    } finally {
      delete process.env.TEMPORAL_API_KEY;
    }
  });

  it('ends a command that floods its output, naming the limit', async () => {
    const r = await run('yes', { outputBytes: 64 * 1024 }).result;
    expect(r).toMatchObject({ limit: 'output', timedOut: false });
  });

  it('names the memory limit when the command runs out of it', async () => {
    const r = await run(`node -e 'const a = []; for (;;) a.push(Buffer.alloc(64 << 20, 1))'`, {
      memoryMb: 256,
    }).result;
    expect(r.limit).toBe('memory');
  });

  it('counts a daemon the command left, and it is gone', async () => {
    // The command returns only once its daemon runs (it says so in a file).
    const { ws, result } = run(
      `setsid sh -c 'echo up > started; exec sleep 300' > /dev/null 2>&1 < /dev/null & ` +
        `while [ ! -s started ]; do sleep 0.05; done`,
    );
    const r = await result;
    expect(r.leftProcesses).toBeGreaterThan(0);
    expect(await processesInDir(ws)).toEqual([]);
  });
});
