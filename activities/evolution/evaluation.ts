/** Evaluate a candidate: the test command, gate commands, and the metrics command. */
import { ApplicationFailure } from '@temporalio/activity';
import { parseMetricsOutput } from '../../domain/judge';
import { runShellCommand, type CommandResult } from './shellCommand';

export interface CommandOutcome {
  command: string;
  passed: boolean;
  exitCode: number | null;
  timedOut: boolean;
  durationMs: number;
  /** Last lines of output, for the event log and the Web UI. */
  outputTail: string;
}

export type MetricValues = Record<string, number | number[]>;

function outcome(result: CommandResult): CommandOutcome {
  return {
    command: result.command,
    passed: result.exitCode === 0 && !result.timedOut,
    exitCode: result.exitCode,
    timedOut: result.timedOut,
    durationMs: result.durationMs,
    outputTail: `${result.stdout.slice(-1500)}${result.stderrTail.slice(-1500)}`.trim(),
  };
}

export async function runCheckCommand(input: {
  workspace: string;
  command: string;
  timeoutSec: number;
}): Promise<CommandOutcome> {
  return outcome(
    await runShellCommand(input.command, { cwd: input.workspace, timeoutSec: input.timeoutSec }),
  );
}

/** The metrics command's report (see parseMetricsOutput for what output is accepted). */
export function parseMetrics(stdout: string): MetricValues {
  const parsed = parseMetricsOutput(stdout);
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.metrics;
}

export async function collectMetrics(input: {
  workspace: string;
  command: string;
  timeoutSec: number;
}): Promise<MetricValues> {
  const result = await runShellCommand(input.command, {
    cwd: input.workspace,
    timeoutSec: input.timeoutSec,
  });
  if (result.exitCode !== 0 || result.timedOut) {
    throw ApplicationFailure.create({
      type: 'MetricsCommandFailed',
      message: `metrics command ${result.timedOut ? 'timed out' : `exited ${result.exitCode}`}: ${result.stderrTail.slice(-500)}`,
      nonRetryable: true,
    });
  }
  try {
    return parseMetrics(result.stdout);
  } catch (err) {
    throw ApplicationFailure.create({
      type: 'InvalidMetrics',
      message: (err as Error).message,
      nonRetryable: true,
    });
  }
}
