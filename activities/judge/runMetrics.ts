/**
 * Runs the user's metrics command once and parses its report. A minimal local
 * runner: `sh -c` (the user gave a shell command), its own process group so a
 * timeout kills everything it started. It moves onto the shared runner
 * (activities/infra/commands.ts `runCommand`, execa-based) once that is on
 * main — keep this file small until then.
 */
import { spawn } from 'node:child_process';
import { ApplicationFailure } from '@temporalio/common';
import { parseMetricsOutput, type MetricsReport } from '../../domain/judge/metrics';

/** stdout is kept whole up to this size: the report is printed there. */
const STDOUT_LIMIT = 2_000_000;
const STDERR_TAIL = 4_000;
const KILL_GRACE_MS = 2_000;

export interface MetricsRun {
  command: string;
  cwd: string;
  timeoutSec: number;
  env?: Record<string, string>;
}

/** The command failed, timed out or printed no valid report: retrying the same tree cannot help. */
export const METRICS_COMMAND_FAILED = 'MetricsCommandFailed';

export function runMetricsCommand(run: MetricsRun): Promise<MetricsReport> {
  return new Promise((resolve, reject) => {
    const child = spawn('sh', ['-c', run.command], {
      cwd: run.cwd,
      env: { ...process.env, ...run.env },
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.setEncoding('utf8').on('data', (c: string) => {
      if (stdout.length < STDOUT_LIMIT) stdout += c;
    });
    child.stderr.setEncoding('utf8').on('data', (c: string) => {
      stderr = (stderr + c).slice(-STDERR_TAIL);
    });
    const killGroup = (signal: NodeJS.Signals) => {
      try {
        if (child.pid) process.kill(-child.pid, signal);
      } catch {
        // already gone
      }
    };
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup('SIGTERM');
      setTimeout(() => killGroup('SIGKILL'), KILL_GRACE_MS).unref();
    }, run.timeoutSec * 1000);
    const fail = (why: string) =>
      reject(
        ApplicationFailure.create({
          type: METRICS_COMMAND_FAILED,
          nonRetryable: true,
          message: `metrics command in ${run.cwd} ${why}${stderr.trim() ? `; stderr: ${stderr.trim().slice(-500)}` : ''}`,
        }),
      );
    child.on('error', (err) => {
      clearTimeout(timer);
      fail(`could not start: ${err.message}`);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      // Background children of the command do not outlive it.
      killGroup('SIGKILL');
      if (timedOut) return fail(`timed out after ${run.timeoutSec}s`);
      if (code !== 0) return fail(`exited with ${code ?? signal}`);
      const parsed = parseMetricsOutput(stdout);
      if (!parsed.ok) return fail(parsed.error);
      resolve(parsed.metrics);
    });
  });
}
