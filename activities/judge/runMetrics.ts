/**
 * Runs the user's metrics command once and parses its report, through THE
 * command runner (activities/infra/commands.ts `runCommand`): its own process
 * group, output limits, heartbeats inside an activity, and — when the caller
 * passes one, as an evolution iteration does — the sandbox the evaluation uses.
 */
import { ApplicationFailure } from '@temporalio/common';
import { parseMetricsOutput, type MetricsReport } from '../../domain/judge/metrics';
import type { SandboxSettings } from '../../domain/sandbox';
import { runCommand } from '../infra/commands';

export interface MetricsRun {
  command: string;
  cwd: string;
  timeoutSec: number;
  env?: Record<string, string>;
  /** Run sandboxed like the evaluation's commands (`hide`: the worker's data dir, secrets). */
  sandbox?: { settings: SandboxSettings; workspace: string; hide: readonly string[] };
  /** The cwd is an evolution workspace: leftovers of an earlier attempt are killed first. */
  exclusiveCwd?: boolean;
}

/** The command failed, timed out or printed no valid report: retrying the same tree cannot help. */
export const METRICS_COMMAND_FAILED = 'MetricsCommandFailed';

export async function runMetricsCommand(run: MetricsRun): Promise<MetricsReport> {
  const r = await runCommand({
    command: run.command,
    cwd: run.cwd,
    timeoutSec: run.timeoutSec,
    env: run.env,
    sandbox: run.sandbox,
    exclusiveCwd: run.exclusiveCwd,
  });
  const stderr = r.stderrTail.trim();
  const fail = (why: string) =>
    ApplicationFailure.create({
      type: METRICS_COMMAND_FAILED,
      nonRetryable: true,
      message: `metrics command in ${run.cwd} ${why}${stderr ? `; stderr: ${stderr.slice(-500)}` : ''}`,
    });
  if (r.spawnError) throw fail(`could not start: ${r.spawnError}`);
  if (r.timedOut) throw fail(`timed out after ${run.timeoutSec}s`);
  if (r.cancelled) throw fail('was cancelled');
  if (r.limit) throw fail(`hit the sandbox's ${r.limit} limit`);
  if (r.exitCode !== 0) throw fail(`exited with ${r.exitCode ?? r.signal}`);
  const parsed = parseMetricsOutput(r.stdout);
  if (!parsed.ok) throw fail(parsed.error);
  return parsed.metrics;
}
