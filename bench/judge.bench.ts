/**
 * How good is the judge? On generated timing data (seeded, so every run is the
 * same): the false-rollback rate when nothing changed, and the detection rate
 * of a real 10 % slowdown with 20 samples per side — next to the seeds' rule
 * (roll back when the candidate's mean exceeds the baseline's by a threshold).
 * Then the same-window judge under a noisy neighbour, fast (load switching
 * inside rounds) and slow (load lasting whole rounds): the judge (rank and
 * trimmed tests together), each test alone, a paired signed-rank rule, and the
 * stored-baseline rule (see judgeNoise.ts).
 *
 * Noise model: lognormal with σ = 0.03 (≈ 3 % CV, typical of repeated timings
 * on a quiet machine), plus 5 % of samples hit by a pause (GC, scheduler) that
 * makes them 1.3–1.8× slower — the heavy tail real timings have.
 */
import { judge, type MetricPolicyInput } from '../domain/judge';
import { SAMPLES_PER_RUN, paired, sameWindow, storedBaseline, type Outcome } from './judgeNoise';
import { mulberry32 } from '../domain/judge/random';

function sampler(seed: number) {
  const rand = mulberry32(seed);
  const normal = () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
  return (center: number, n: number) =>
    Array.from({ length: n }, () => {
      const v = center * Math.exp(0.03 * normal());
      return rand() < 0.05 ? v * (1.3 + 0.5 * rand()) : v;
    });
}

const TRIALS = 2000;
const N = 20;
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

function rates(shift: number, seed: number, policy: MetricPolicyInput, alpha: number) {
  const draw = sampler(seed);
  let judgeRollbacks = 0;
  let mean10 = 0;
  let mean5 = 0;
  for (let t = 0; t < TRIALS; t++) {
    const baseline = draw(100, N);
    const candidate = draw(100 * shift, N);
    const r = judge({
      baseline: { execution_time: baseline },
      candidate: { execution_time: candidate },
      policies: { execution_time: policy },
      alpha,
      testsPassed: true,
    });
    if (r.regressed.length || r.critical.length) judgeRollbacks++;
    if (mean(candidate) > mean(baseline) * 1.1) mean10++;
    if (mean(candidate) > mean(baseline) * 1.05) mean5++;
  }
  const pct = (k: number) => `${((100 * k) / TRIALS).toFixed(1)} %`;
  return { judge: pct(judgeRollbacks), mean10: pct(mean10), mean5: pct(mean5) };
}

const minEffect5: MetricPolicyInput = {
  direction: 'lower_is_better',
  regressionThreshold: 0.05,
  criticalThreshold: 0.25,
};
const minEffect10: MetricPolicyInput = {
  direction: 'lower_is_better',
  regressionThreshold: 0.1,
  criticalThreshold: 0.25,
};

const t0 = performance.now();
const rows = [
  ['no change: false rollbacks (goal ≤ 1 %)', rates(1.0, 1, minEffect5, 0.01)],
  ['10 % slower: detected (goal ≥ 95 %)', rates(1.1, 2, minEffect5, 0.01)],
  ['no change, min effect 10 %', rates(1.0, 3, minEffect10, 0.01)],
  ['10 % slower, min effect 10 %', rates(1.1, 4, minEffect10, 0.01)],
  ['3 % slower (below the min effect)', rates(1.03, 5, minEffect5, 0.01)],
] as const;
console.log(
  `judge quality: ${TRIALS} trials × ${N} samples per side, α = 0.01, lognormal σ 0.03 + 5 % pauses`,
);
console.log(
  'scenario'.padEnd(40),
  'judge (MWU+HL)'.padEnd(16),
  'mean > +10 %'.padEnd(14),
  'mean > +5 %',
);
for (const [label, r] of rows)
  console.log(label.padEnd(40), r.judge.padEnd(16), r.mean10.padEnd(14), r.mean5);
console.log(`(min effect 5 % unless stated; ${((performance.now() - t0) / 1000).toFixed(1)} s)`);

// --- A noisy neighbour: same-window (ABBA) judging next to the stored-baseline rule ---
const t1 = performance.now();
const MIN_EFFECT = 0.05;
type Rule = (shift: number, seed: number) => Outcome;
const rules: Array<[string, Rule]> = [
  ['both (the judge), 8→20 rounds', (s, seed) => sameWindow(s, seed, 8, 20, MIN_EFFECT)],
  ['trimmed only, 8→20', (s, seed) => sameWindow(s, seed, 8, 20, MIN_EFFECT, 'trimmed')],
  ['rank only (before), 8→20', (s, seed) => sameWindow(s, seed, 8, 20, MIN_EFFECT, 'rank')],
  ['paired signed-rank, 8→20', (s, seed) => paired(s, seed, 8, 20, MIN_EFFECT)],
  ['both, 8→40 rounds', (s, seed) => sameWindow(s, seed, 8, 40, MIN_EFFECT)],
  ['stored baseline, 10 runs', (s, seed) => storedBaseline(s, seed, 10, MIN_EFFECT)],
];
const scenarios: Array<[string, number]> = [
  ['no change: rolled back (goal ≤ 1 %)', 1.0],
  ['10 % slower: rolled back (goal ≥ 95 %)', 1.1],
  ['2× slower: rolled back (goal 100 %)', 2.0],
];
console.log(
  `\nnoisy neighbour: load off or 1.0–2.0× switching every 2–6 samples; ${TRIALS} trials, ${SAMPLES_PER_RUN} samples a run, α = 0.01, min effect ${MIN_EFFECT * 100} %`,
);
/** One table: each scenario's rollback (and inconclusive) rate per rule, then their mean rounds. */
function printTable(tableRules: Array<[string, Rule]>): void {
  console.log('scenario'.padEnd(40), ...tableRules.map(([name]) => name.padEnd(30)));
  const rounds = tableRules.map(() => [] as number[]);
  scenarios.forEach(([label, shift], si) => {
    const cells = tableRules.map(([, rule], ri) => {
      let rolled = 0;
      let unsure = 0;
      for (let t = 0; t < TRIALS; t++) {
        const o = rule(shift, 100_000 * (si + 1) + t);
        if (o.rolledBack) rolled++;
        if (o.inconclusive) unsure++;
        rounds[ri]!.push(o.rounds);
      }
      const pct = (k: number) => `${((100 * k) / TRIALS).toFixed(1)} %`;
      return `${pct(rolled)}${unsure ? ` (${pct(unsure)} inconclusive)` : ''}`.padEnd(30);
    });
    console.log(label.padEnd(40), ...cells);
  });
  console.log(
    'mean rounds (runs a side)'.padEnd(40),
    ...rounds.map((r) => mean(r).toFixed(1).padEnd(30)),
  );
}
printTable(rules);
console.log(`(${((performance.now() - t1) / 1000).toFixed(1)} s)`);

// --- A slow neighbour: load that lasts whole rounds, where the rank test's per-round normalisation shines ---
const t2 = performance.now();
const SLOW = [20, 60] as const;
const slowRules: Array<[string, Rule]> = [
  [
    'both (the judge), 8→20',
    (s, seed) => sameWindow(s, seed, 8, 20, MIN_EFFECT, 'both', 'best', SLOW),
  ],
  [
    'trimmed only, 8→20',
    (s, seed) => sameWindow(s, seed, 8, 20, MIN_EFFECT, 'trimmed', 'best', SLOW),
  ],
  ['rank only, 8→20', (s, seed) => sameWindow(s, seed, 8, 20, MIN_EFFECT, 'rank', 'best', SLOW)],
];
console.log(
  `\nslow neighbour: load off or 1.0–2.0× switching every 20–60 samples (whole rounds); ${TRIALS} trials, α = 0.01, min effect ${MIN_EFFECT * 100} %`,
);
printTable(slowRules);
console.log(`(${((performance.now() - t2) / 1000).toFixed(1)} s)`);
