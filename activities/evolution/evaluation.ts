/**
 * Evaluate a candidate: the test command, gate commands, and the metrics
 * command. A command's failure is a result (the candidate's doing), never an
 * activity error: activity errors are kept for the infrastructure.
 */
import { parseMetricsOutput } from '../../domain/judge';
import type { CommandOutcome, MetricValues, MetricsOutcome } from '../../domain/evolution/failures';
import { DEFAULT_SANDBOX_SETTINGS, type SandboxSettings } from '../../domain/sandbox';
import { limitFailure } from '../../domain/evolution/failures';
import { runCommand, type CommandResult } from '../infra/commands';

export type { CommandOutcome, MetricValues, MetricsOutcome };

export interface CommandInput {
  workspace: string;
  command: string;
  timeoutSec: number;
  /** The module's sandbox settings; absent (cycles started before the sandbox): the defaults. */
  sandbox?: SandboxSettings;
}

/** A candidate's command: sandboxed, never seeing what `hide` lists (the worker's data dir, …). */
function run(input: CommandInput, hide: readonly string[]): Promise<CommandResult> {
  return runCommand({
    command: input.command,
    cwd: input.workspace,
    timeoutSec: input.timeoutSec,
    exclusiveCwd: true,
    sandbox: {
      settings: input.sandbox ?? DEFAULT_SANDBOX_SETTINGS,
      workspace: input.workspace,
      hide,
    },
  });
}

function outcome(result: CommandResult): CommandOutcome {
  return {
    command: result.command,
    passed: result.exitCode === 0 && !result.timedOut && !result.spawnError && !result.limit,
    exitCode: result.exitCode,
    timedOut: result.timedOut,
    leftProcesses: result.leftProcesses,
    spawnError: result.spawnError,
    limit: result.limit,
    durationMs: result.durationMs,
    outputTail: `${result.stdout.slice(-1500)}${result.stderrTail.slice(-1500)}`.trim(),
  };
}

export async function runCheckCommand(
  input: CommandInput,
  hide: readonly string[] = [],
): Promise<CommandOutcome> {
  return outcome(await run(input, hide));
}

/** The metrics command's report (see parseMetricsOutput for what output is accepted). */
export function parseMetrics(stdout: string): MetricValues {
  const parsed = parseMetricsOutput(stdout);
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.metrics;
}

export async function collectMetrics(
  input: CommandInput,
  hide: readonly string[] = [],
): Promise<MetricsOutcome> {
  const r = await run(input, hide);
  const fail = (
    reason: Extract<MetricsOutcome, { ok: false }>['failure']['reason'],
    message: string,
  ) => ({ ok: false, failure: { reason, message }, durationMs: r.durationMs }) as const;
  if (r.spawnError) return fail('workspace_destroyed', `metrics command: ${r.spawnError}`);
  if (r.timedOut) return fail('timeout', `metrics command timed out after ${input.timeoutSec}s`);
  if (r.limit)
    return {
      ok: false,
      failure: limitFailure(r.limit, 'metrics command'),
      durationMs: r.durationMs,
    };
  if (r.exitCode !== 0) {
    return fail(
      'metrics_crashed',
      `metrics command exited ${r.exitCode ?? r.signal}: ${r.stderrTail.slice(-500)}`,
    );
  }
  if (r.leftProcesses > 0)
    return fail('processes_left', `metrics command left ${r.leftProcesses} process(es) running`);
  if (!r.stdout.trim()) return fail('metrics_empty', 'metrics command printed nothing');
  const parsed = parseMetricsOutput(r.stdout);
  if (!parsed.ok) return fail('metrics_invalid', parsed.error);
  return { ok: true, metrics: parsed.metrics, durationMs: r.durationMs };
}
