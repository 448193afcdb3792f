/**
 * Noisy-neighbour scenarios for the judge benchmark: timings under a load
 * that switches on and off between measurements, judged (a) in the same
 * window — interleaved ABBA rounds, sequential sampling — and (b) the
 * stored-baseline way — the candidate's samples against baseline samples
 * taken at another time (the previous iteration's), as the evolution
 * iteration does today.
 *
 * Noise: each sample is lognormal (σ 0.03) with 5 % pauses of 1.3–1.8×, times
 * the neighbour's load: every 2–6 samples it switches, off (1.0) or on with a
 * multiplicative slowdown drawn from 1.0–2.0×.
 */
import {
  judge,
  judgeWindow,
  mulberry32,
  roundOrder,
  sequentialLooks,
  type WindowRound,
  type WindowSettingsInput,
} from '../domain/judge';
import { walshInterval, wilcoxonSignedRank } from './signedRank';

export const SAMPLES_PER_RUN = 5;

/** One measurement stream: the neighbour's load carries on from run to run. */
/** How many samples the neighbour's load lasts: [shortest, longest]. */
export type Switching = readonly [number, number];
export const FAST: Switching = [2, 6];

export function timeline(seed: number, switching: Switching = FAST) {
  const rand = mulberry32(seed);
  const normal = () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
  let load = 1;
  let left = 0;
  const sample = (center: number) => {
    if (left-- <= 0) {
      left = switching[0] + Math.floor(rand() * (switching[1] - switching[0] + 1));
      load = rand() < 0.5 ? 1 : 1 + rand();
    }
    const v = center * Math.exp(0.03 * normal()) * load;
    return rand() < 0.05 ? v * (1.3 + 0.5 * rand()) : v;
  };
  return (center: number) => Array.from({ length: SAMPLES_PER_RUN }, () => sample(center));
}

export interface Outcome {
  rolledBack: boolean;
  inconclusive: boolean;
  rounds: number;
}

const POLICY = {
  direction: 'lower_is_better',
  regressionThreshold: 0.1,
  criticalThreshold: 0.5,
} as const;

/** Same window: ABBA rounds from one timeline; sequential from `first` up to `max` rounds (2 at a time). */
export function sameWindow(
  shift: number,
  seed: number,
  first: number,
  max: number,
  minEffect: number,
  test: WindowSettingsInput['test'] = 'both',
  perRun: WindowSettingsInput['perRun'] = 'best',
  switching: Switching = FAST,
): Outcome {
  const run = timeline(seed, switching);
  const rounds: WindowRound[] = [];
  const add = () => {
    const order = roundOrder(rounds.length);
    const [a, b] =
      order === 'AB' ? [run(100), run(100 * shift)] : [run(100 * shift), run(100)].reverse();
    rounds.push({ order, baseline: { execution_time: a! }, candidate: { execution_time: b! } });
  };
  while (rounds.length < first) add();
  const settings = {
    alpha: 0.01,
    minEffect,
    maxRounds: max,
    looks: sequentialLooks(first, max),
    test,
    perRun,
    policies: { execution_time: POLICY },
  };
  let r = judgeWindow({ rounds, ...settings });
  while (r.moreRounds) {
    const target = Math.min(rounds.length + 2, max);
    while (rounds.length < target) add();
    r = judgeWindow({ rounds, ...settings });
  }
  return {
    rolledBack: r.verdict === 'regressed',
    inconclusive: r.verdict === 'inconclusive',
    rounds: r.rounds,
  };
}

/**
 * Paired: one log ratio per round (candidate's best run over the baseline's),
 * the Wilcoxon signed-rank test and the Walsh-average interval, at the same
 * looks and α spending as `sameWindow`.
 */
export function paired(
  shift: number,
  seed: number,
  first: number,
  max: number,
  minEffect: number,
): Outcome {
  const run = timeline(seed);
  const d: number[] = [];
  const add = () => {
    const best = (xs: number[]) => Math.log(Math.min(...xs));
    if (roundOrder(d.length) === 'AB') {
      const b = best(run(100));
      d.push(best(run(100 * shift)) - b);
    } else {
      const c = best(run(100 * shift));
      d.push(c - best(run(100)));
    }
  };
  const looks = sequentialLooks(first, max);
  while (d.length < first) add();
  for (;;) {
    const ci = walshInterval(d, 1 - 0.02 / looks);
    const p = wilcoxonSignedRank(d).pValue;
    if (ci.lower !== null && Math.expm1(ci.lower) >= minEffect && p < 0.01 / looks)
      return { rolledBack: true, inconclusive: false, rounds: d.length };
    if (ci.upper !== null && Math.expm1(ci.upper) < minEffect)
      return { rolledBack: false, inconclusive: false, rounds: d.length };
    if (d.length >= max) return { rolledBack: false, inconclusive: true, rounds: d.length };
    const target = Math.min(d.length + 2, max);
    while (d.length < target) add();
  }
}

/** Stored baseline: `runs` runs of the baseline in one window, later `runs` of the candidate in another. */
export function storedBaseline(
  shift: number,
  seed: number,
  runs: number,
  minEffect: number,
): Outcome {
  const before = timeline(seed);
  const after = timeline(seed + 1_000_003);
  const baseline = Array.from({ length: runs }, () => before(100)).flat();
  const candidate = Array.from({ length: runs }, () => after(100 * shift)).flat();
  const r = judge({
    baseline: { execution_time: baseline },
    candidate: { execution_time: candidate },
    policies: { execution_time: POLICY },
    alpha: 0.01,
    minEffect,
    testsPassed: true,
  });
  return {
    rolledBack: r.regressed.length + r.critical.length > 0,
    inconclusive: false,
    rounds: runs,
  };
}
