/**
 * Interleaved A/B measurement: rounds of the metrics command on the baseline
 * and the candidate tree, ABBA (round i runs the baseline first when i is
 * even), judged together by `judgeWindow`; while the verdict is inconclusive
 * and below `maxRounds`, two more rounds at a time (keeping the ABBA balance).
 *
 * Each side runs in its own directory: for `judge compare` the two trees the
 * user gave; for an evolution iteration the workspace and a materialised
 * baseline beside it (or the workspace swapped between rounds).
 */
import {
  judgeWindow,
  roundOrder,
  sequentialLooks,
  WindowSettings,
  type WindowReport,
  type WindowRound,
  type WindowSettingsInput,
} from '../../domain/judge/window';
import type { MetricsReport } from '../../domain/judge/metrics';
import type { MetricPolicyInput } from '../../domain/judge/policies';
import { runMetricsCommand, type MetricsRun } from './runMetrics';

export interface MeasureWindowInput extends WindowSettingsInput {
  baselineDir: string;
  candidateDir: string;
  metricsCommand: string;
  /** Rounds before the first judgement. @default 6 */
  rounds?: number;
  /** Per run of the metrics command. @default 300 */
  timeoutSec?: number;
  policies?: Readonly<Record<string, MetricPolicyInput>>;
  env?: Record<string, string>;
  /** Passed to every run (an evolution iteration's sandbox); see MetricsRun. */
  sandbox?: MetricsRun['sandbox'];
  exclusiveCwd?: boolean;
}

export interface MeasureWindowResult {
  report: WindowReport;
  rounds: WindowRound[];
}

export interface MeasureDeps {
  run?: (run: MetricsRun) => Promise<MetricsReport>;
  /** Called after each round (progress, heartbeats). */
  onRound?: (index: number, round: WindowRound) => void;
  /**
   * Called before each side runs: an evolution iteration measures both sides in the
   * workspace itself and swaps its tree here (baselineDir = candidateDir = workspace).
   */
  enter?: (side: 'baseline' | 'candidate') => Promise<void>;
}

/** The first look must be able to roll back: at 8 a side the exact test reaches p < α / looks. */
export const DEFAULT_ROUNDS = 8;

export async function measureWindow(
  input: MeasureWindowInput,
  deps: MeasureDeps = {},
): Promise<MeasureWindowResult> {
  const run = deps.run ?? runMetricsCommand;
  const timeoutSec = input.timeoutSec ?? 300;
  const side = async (which: 'baseline' | 'candidate') => {
    await deps.enter?.(which);
    return run({
      command: input.metricsCommand,
      cwd: which === 'baseline' ? input.baselineDir : input.candidateDir,
      timeoutSec,
      env: input.env,
      sandbox: input.sandbox,
      exclusiveCwd: input.exclusiveCwd,
    });
  };
  const rounds: WindowRound[] = [];
  const addRound = async () => {
    const order = roundOrder(rounds.length);
    let baseline: MetricsReport;
    let candidate: MetricsReport;
    if (order === 'AB') {
      baseline = await side('baseline');
      candidate = await side('candidate');
    } else {
      candidate = await side('candidate');
      baseline = await side('baseline');
    }
    const round = { order, baseline, candidate };
    rounds.push(round);
    deps.onRound?.(rounds.length - 1, round);
  };
  const first = Math.max(1, input.rounds ?? DEFAULT_ROUNDS);
  const { maxRounds } = WindowSettings.parse({ maxRounds: input.maxRounds });
  const looks = sequentialLooks(first, maxRounds);
  const judgeNow = () => judgeWindow({ ...input, rounds, looks });
  while (rounds.length < first) await addRound();
  let report = judgeNow();
  while (report.moreRounds) {
    const target = Math.min(rounds.length + 2, maxRounds);
    while (rounds.length < target) await addRound();
    report = judgeNow();
  }
  return { report, rounds };
}
