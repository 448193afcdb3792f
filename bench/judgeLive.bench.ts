/**
 * One real run of same-window judging: the example library (examples/mathlib)
 * judged by `ratchet judge compare` while a CPU-burning neighbour toggles
 * every couple of seconds — A/A (a copy whose change touches no measured
 * code) and the slowdown patch (03-primes-extra-divisors, ~30 % here), 10 runs each
 * (JUDGE_LIVE_RUNS to change). Prints the verdicts; asserts nothing.
 */
import { spawn, spawnSync } from 'node:child_process';
import { appendFileSync, cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const ROOT = path.join(__dirname, '..');
const RUNS = Number(process.env.JUDGE_LIVE_RUNS ?? 10);
const dir = mkdtempSync(path.join(tmpdir(), 'ratchet-judge-live-'));
const base = path.join(dir, 'base');
const same = path.join(dir, 'same');
const slow = path.join(dir, 'slow');
for (const d of [base, same, slow])
  cpSync(path.join(ROOT, 'examples', 'mathlib'), d, { recursive: true });
appendFileSync(path.join(same, 'package.json'), '\n'); // a change outside the measured code

// Busy 2 s, idle 2 s; bounded to 30 min should this script die first.
const neighbour = spawn(
  process.execPath,
  [
    '-e',
    `const end = Date.now() + 1800000; (function cycle() { if (Date.now() > end) process.exit(0); const stop = Date.now() + 2000; while (Date.now() < stop) Math.sqrt(Math.random()); setTimeout(cycle, 2000); })();`,
  ],
  { stdio: 'ignore' },
);

function compare(candidate: string): string {
  const res = spawnSync(
    process.execPath,
    [
      path.join(ROOT, 'bin', 'ratchet.js'),
      'judge',
      'compare',
      '--baseline',
      base,
      '--candidate',
      candidate,
      '--metrics',
      'node bench.js',
      '--json',
    ],
    { encoding: 'utf8' },
  );
  if (!res.stdout) return `exit ${res.status}: ${res.stderr.trim().split('\n').pop()}`;
  const r = JSON.parse(res.stdout) as {
    verdict: string;
    rounds: number;
    metrics: Record<string, { effect: number | null }>;
  };
  const e = r.metrics.execution_time?.effect;
  return `${r.verdict} (exit ${res.status}, ${r.rounds} rounds, shift ${e === null || e === undefined ? '-' : `${(e * 100).toFixed(1)} %`})`;
}

try {
  // The patches apply in order: 01 (the speed-up) is the baseline, 03 on top the slowdown.
  const apply = (cwd: string, patch: string) => {
    const file = path.join(ROOT, 'examples', 'mathlib-patches', patch);
    const res = spawnSync('git', ['apply', file], { cwd, encoding: 'utf8' });
    if (res.status !== 0) throw new Error(`${patch} does not apply: ${res.stderr}`);
  };
  for (const d of [base, same, slow]) apply(d, '01-primes-skip-even-numbers.patch');
  apply(slow, '03-primes-extra-divisors.patch');
  console.log(`examples/mathlib with a CPU burner toggling every 2 s; ${RUNS} runs each`);
  for (const [label, tree] of [
    ['A/A (untouched measured code)', same],
    ['slowdown (patch 03 on 01)', slow],
  ] as const) {
    const verdicts: string[] = [];
    for (let i = 0; i < RUNS; i++) verdicts.push(compare(tree));
    const counts = verdicts.reduce<Record<string, number>>(
      (acc, v) => ({ ...acc, [v.split(' ')[0]!]: (acc[v.split(' ')[0]!] ?? 0) + 1 }),
      {},
    );
    console.log(`${label}: ${JSON.stringify(counts)}`);
    for (const v of verdicts) console.log(`  ${v}`);
  }
} finally {
  neighbour.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
}
