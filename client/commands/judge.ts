/**
 * `ratchet judge compare|calibrate`: baseline and candidate measured in the
 * same window (interleaved ABBA rounds), no server needed.
 * compare exits 0 pass, 1 regressed, 3 inconclusive, 2 bad input (or a
 * metrics command that fails).
 */
import type { Command } from 'commander';
import { ApplicationFailure } from '@temporalio/common';
import { ZodError } from 'zod';
import { METRICS_COMMAND_FAILED } from '../../activities/judge';
import type { Calibration } from '../../domain/judge/calibrate';
import type { WindowMetric, WindowReport } from '../../domain/judge/window';
import type { GlobalOptions } from '../context';
import { calibrateWorkspace, compareTrees } from '../judge';
import { CliError, ExitCode, printJson, println, progress, table } from '../output';

/** `judge compare`: the run finished but the interval still straddles the minimum effect. */
export const INCONCLUSIVE_EXIT = 3;

const FLAGS: Record<string, string> = {
  baseline: '--baseline',
  candidate: '--candidate',
  workspace: '--workspace',
  metrics: '--metrics',
  rounds: '--rounds',
  maxRounds: '--max-rounds',
  timeoutSec: '--timeout',
  alpha: '--alpha',
  minEffect: '--min-effect',
};

interface Flags {
  baseline?: string;
  candidate?: string;
  workspace?: string;
  metrics?: string;
  rounds?: string;
  maxRounds?: string;
  timeout?: string;
  alpha?: string;
  minEffect?: string;
  json?: boolean;
}

const num = (v: string | undefined) => (v === undefined ? undefined : Number(v));

const numericFlags = (f: Flags) => ({
  rounds: num(f.rounds),
  timeoutSec: num(f.timeout),
  alpha: num(f.alpha),
  minEffect: num(f.minEffect),
});

async function guarded<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof ZodError) {
      const issue = err.issues[0]!;
      const field = String(issue.path[0] ?? '');
      throw new CliError(`${FLAGS[field] ?? field}: ${issue.message}`);
    }
    if (err instanceof ApplicationFailure && err.type === METRICS_COMMAND_FAILED)
      throw new CliError(err.message);
    throw err;
  }
}

const fmt = (m: WindowMetric, x: number | null | undefined): string => {
  if (x === null || x === undefined) return '-';
  return m.method === 'window' || m.effect === null
    ? `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)}%`
    : x.toPrecision(3);
};

function printReport(r: WindowReport): void {
  const rows = Object.values(r.metrics).map((m) => [
    m.metric,
    m.baseline?.toPrecision(4),
    m.candidate?.toPrecision(4),
    fmt(m, m.effect),
    m.interval ? `[${fmt(m, m.interval.lower)}, ${fmt(m, m.interval.upper)}]` : '-',
    m.adjustedPValue?.toPrecision(2) ?? '-',
    m.verdict,
  ]);
  println(
    table(['metric', 'baseline', 'candidate', 'shift', 'interval', 'p (Holm)', 'verdict'], rows),
  );
  for (const m of Object.values(r.metrics)) println(`  ${m.metric}: ${m.reason}`);
  if (r.unjudged.length) println(`not judged (no policy): ${r.unjudged.join(', ')}`);
  println(`${r.verdict} after ${r.rounds} rounds (ABBA, same window)`);
  if (r.verdict === 'inconclusive') {
    const mde = Object.values(r.metrics)
      .filter((m) => m.verdict === 'inconclusive' && m.minDetectableEffect !== null)
      .map((m) => `${m.metric} ±${(m.minDetectableEffect! * 100).toFixed(1)}%`);
    println(
      `inconclusive: the interval still straddles the minimum effect. At ${r.rounds} rounds this machine can tell apart shifts of about ${mde.join(', ') || '(too few samples)'}; give more --max-rounds, measure on a quieter machine, or raise the minimum effect (see \`ratchet judge calibrate\`).`,
    );
  }
}

function printCalibration(c: Calibration): void {
  const pct = (x: number | null) => (x === null ? '-' : `${(x * 100).toFixed(1)}%`);
  const rows = Object.values(c.metrics).map((m) => [
    m.metric,
    pct(m.cv),
    pct(m.drift),
    pct(m.falseRollbackRate),
    m.mode === 'relative'
      ? pct(m.minDetectableEffect)
      : (m.minDetectableEffect?.toPrecision(3) ?? '-'),
    m.mode === 'relative'
      ? pct(m.suggestedMinEffect)
      : (m.suggestedMinEffect?.toPrecision(3) ?? '-'),
  ]);
  println(
    table(['metric', 'cv', 'drift', 'false rollbacks', 'detectable', 'suggested minEffect'], rows),
  );
  println(
    `A/A over ${c.rounds} rounds, ${c.resamples} relabellings at α = ${c.alpha}: the judge would roll back an unchanged candidate ${pct(c.falseRollbackRate)} of the time.`,
  );
}

export function registerJudge(program: Command, _globals: () => GlobalOptions): void {
  const judge = program
    .command('judge')
    .description('measure baseline and candidate side by side (interleaved rounds) and judge them');
  judge
    .command('compare')
    .description(
      'judge a candidate tree against a baseline tree: exit 0 pass, 1 regressed, 3 inconclusive',
    )
    .requiredOption('--baseline <dir>', 'the baseline tree')
    .requiredOption('--candidate <dir>', 'the candidate tree')
    .requiredOption('--metrics <cmd>', 'shell command printing the metrics JSON, run in each tree')
    .option('--rounds <n>', 'rounds before the first judgement (each: once per side)', '8')
    .option(
      '--max-rounds <n>',
      'more rounds while inconclusive, up to this (default: max(40, rounds))',
    )
    .option('--min-effect <x>', 'smallest shift that matters (default: each policy’s threshold)')
    .option('--alpha <p>', 'family-wise significance level (default 0.01)')
    .option('--timeout <sec>', 'per run of the metrics command', '300')
    .option('--json', 'print one JSON object')
    .action(async (f: Flags) => {
      const result = await guarded(() =>
        compareTrees(
          {
            baseline: f.baseline!,
            candidate: f.candidate!,
            metrics: f.metrics!,
            maxRounds: num(f.maxRounds),
            ...numericFlags(f),
          },
          f.json ? undefined : (i) => progress(`round ${i + 1} done`),
        ),
      );
      if (f.json) printJson(result.report);
      else printReport(result.report);
      const v = result.report.verdict;
      process.exitCode =
        v === 'pass' ? ExitCode.ok : v === 'regressed' ? ExitCode.failed : INCONCLUSIVE_EXIT;
    });
  judge
    .command('calibrate')
    .description(
      'A/A run on one tree: noise, false-rollback rate and a suggested minEffect per metric',
    )
    .requiredOption('--workspace <dir>', 'the tree to measure against itself')
    .requiredOption('--metrics <cmd>', 'shell command printing the metrics JSON')
    .option('--rounds <n>', 'A/A rounds (each: twice the metrics command)', '10')
    .option('--min-effect <x>', 'minimum effect to compute the false-rollback rate at')
    .option('--alpha <p>', 'family-wise significance level (default 0.01)')
    .option('--timeout <sec>', 'per run of the metrics command', '300')
    .option('--json', 'print one JSON object')
    .action(async (f: Flags) => {
      const c = await guarded(() =>
        calibrateWorkspace(
          { workspace: f.workspace!, metrics: f.metrics!, ...numericFlags(f) },
          f.json ? undefined : (i) => progress(`round ${i + 1} done`),
        ),
      );
      if (f.json) printJson(c);
      else printCalibration(c);
      process.exitCode = ExitCode.ok;
    });
}
