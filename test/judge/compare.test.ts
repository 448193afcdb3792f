/**
 * `ratchet judge compare|calibrate` on real processes and real trees. The
 * metrics command does deterministic CPU work (a loop count read from the
 * tree) and reports CPU time, so the verdicts are what the design
 * guarantees: the same tree passes, twice the loop count is rolled back —
 * also while a CPU-burning neighbour toggles on and off beside the run,
 * because both sides are measured in the same interleaved window.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ratchetCli } from '../support/cli';
import { isRunning, startNeighbour } from '../support/neighbour';

const root = mkdtempSync(path.join(tmpdir(), 'ratchet-judge-'));

const BENCH = `// Deterministic CPU work, timed in CPU time.
const { count } = require('./work.json');
const samples = [];
for (let r = 0; r < 5; r++) {
  const t = process.cpuUsage();
  let x = 0;
  for (let i = 0; i < count; i++) x = (x + i * 7) % 1000003;
  const d = process.cpuUsage(t);
  samples.push((d.user + d.system) / 1000);
  if (x < 0) console.log(x);
}
console.log(JSON.stringify({ execution_time: samples }));
`;

function tree(name: string, count: number): string {
  const dir = path.join(root, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'bench.js'), BENCH);
  writeFileSync(path.join(dir, 'work.json'), JSON.stringify({ count }));
  return dir;
}

const base = tree('base', 3_000_000);
const slow = tree('slow', 6_000_000);
const METRICS = 'node bench.js';

interface Report {
  verdict: string;
  rounds: number;
  metrics: Record<string, { verdict: string; effect: number; interval: unknown; rounds: number }>;
}

async function compare(candidate: string, extra: string[] = []) {
  const res = await ratchetCli([
    'judge',
    'compare',
    '--baseline',
    base,
    '--candidate',
    candidate,
    '--metrics',
    METRICS,
    '--rounds',
    '8',
    '--json',
    ...extra,
  ]);
  return { ...res, report: res.stdout ? (JSON.parse(res.stdout) as Report) : undefined };
}

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
  expect(existsSync(root)).toBe(false);
});

describe('ratchet judge compare', () => {
  it('exits 0 for an identical tree and 1 for a 2× slowdown, with the window in the JSON', async () => {
    const same = await compare(base);
    expect(same.code, same.stderr).toBe(0);
    expect(same.report!.verdict).toBe('pass');
    expect(same.report!.metrics.execution_time!.verdict).toBe('pass');
    // Sequential sampling may have added rounds to the 8 asked for.
    expect(same.report!.rounds).toBeGreaterThanOrEqual(8);
    const slower = await compare(slow);
    expect(slower.code, slower.stderr).toBe(1);
    expect(slower.report!.metrics.execution_time!.verdict).toBe('critical');
    expect(slower.report!.metrics.execution_time!.effect).toBeGreaterThan(0.5);
  });

  it('accepts A/A and rolls back 2× while a CPU-burning neighbour toggles beside the run', async () => {
    const neighbour = startNeighbour(root);
    try {
      await expect.poll(neighbour.toggles).toBeGreaterThan(0);
      const before = neighbour.toggles();
      const same = await compare(base);
      const slower = await compare(slow);
      expect(neighbour.toggles()).toBeGreaterThan(before); // it really ran beside both
      expect(same.code, same.stderr).toBe(0);
      expect(slower.code, slower.stderr).toBe(1);
    } finally {
      neighbour.child.kill('SIGKILL');
    }
    await expect.poll(() => isRunning(neighbour.child.pid!)).toBe(false);
  });

  it('exits 3 when the interval straddles the minimum effect after the last round', async () => {
    // Deterministic samples: each tree cycles through the same five values
    // (the candidate's 10 % higher, two steps out of phase), so every run
    // gives the same interval, and it contains the 10 % minimum effect.
    const fixed = (name: string, factor: number, offset: number) => {
      const dir = tree(name, 1);
      writeFileSync(
        path.join(dir, 'bench.js'),
        `const fs = require('node:fs');
        let k = 0;
        try { k = Number(fs.readFileSync('runs', 'utf8')); } catch {}
        fs.writeFileSync('runs', String(k + 1));
        const v = [80, 120, 100, 90, 110][(k + ${offset}) % 5] * ${factor};
        console.log(JSON.stringify({ execution_time: [v, v + 1] }));`,
      );
      return dir;
    };
    const a = fixed('fixed-a', 1, 0);
    const b = fixed('fixed-b', 1.1, 2);
    const res = await ratchetCli([
      'judge',
      'compare',
      '--baseline',
      a,
      '--candidate',
      b,
      '--metrics',
      METRICS,
      '--rounds',
      '6',
      '--max-rounds',
      '8',
    ]);
    expect(res.code, res.stderr + res.stdout).toBe(3);
    expect(res.stdout).toMatch(/inconclusive after 8 rounds/);
    expect(res.stdout).toMatch(/this machine can tell apart shifts of about execution_time ±/);
  });

  it('exits 2 on bad input, naming the flag, and on a metrics command that fails', async () => {
    const missing = await compare(path.join(root, 'no-such-tree'));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/--candidate: candidate must be an existing directory/);
    const rounds = await compare(base, ['--rounds', 'many']);
    expect(rounds.code).toBe(2);
    expect(rounds.stderr).toMatch(/--rounds/);
    const broken = await ratchetCli([
      'judge',
      'compare',
      '--baseline',
      base,
      '--candidate',
      base,
      '--metrics',
      'echo "{\\"execution_time\\": NaN}"',
    ]);
    expect(broken.code).toBe(2);
    expect(broken.stderr).toMatch(/NaN, which is not JSON/);
  });
});

describe('ratchet judge calibrate', () => {
  it('reports noise, a false-rollback rate and a suggested minEffect per metric', async () => {
    const res = await ratchetCli([
      'judge',
      'calibrate',
      '--workspace',
      base,
      '--metrics',
      METRICS,
      '--rounds',
      '6',
      '--json',
    ]);
    expect(res.code, res.stderr).toBe(0);
    const c = JSON.parse(res.stdout) as {
      rounds: number;
      falseRollbackRate: number;
      metrics: Record<string, Record<string, number>>;
    };
    expect(c.rounds).toBe(6);
    const m = c.metrics.execution_time!;
    expect(m.falseRollbackRate).toBeGreaterThanOrEqual(0);
    expect(m.falseRollbackRate).toBeLessThanOrEqual(c.falseRollbackRate);
    expect(m.cv).toBeGreaterThan(0);
    expect(m.drift).toBeGreaterThanOrEqual(0);
    expect(m.suggestedMinEffect).toBeGreaterThan(0);
    expect(m.minDetectableEffect).toBeGreaterThan(0);
  });
});
