/**
 * Runs a command the user wrote (test, gate, metrics, mutator, smoke) with
 * `sh -c` — the user asked for a shell command — in the workspace, with a
 * timeout that kills the whole process group, heartbeats while it runs, and
 * the tail of its output kept as evidence.
 */
import { spawn } from 'node:child_process';
import { Context } from '@temporalio/activity';

export interface CommandResult {
  command: string;
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  durationMs: number;
  stdout: string;
  /** Last few KB of stderr. */
  stderrTail: string;
}

const TAIL = 8_000;
/** stdout is kept whole up to this size: the metrics command prints its JSON there. */
const STDOUT_LIMIT = 2_000_000;

function heartbeat(details: unknown): void {
  try {
    Context.current().heartbeat(details);
  } catch {
    // Outside an activity (CLI, tests): nothing to heartbeat to.
  }
}

export function runShellCommand(
  command: string,
  options: { cwd: string; timeoutSec: number; env?: NodeJS.ProcessEnv },
): Promise<CommandResult> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn('sh', ['-c', command], {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
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
      stderr = (stderr + c).slice(-TAIL);
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
      setTimeout(() => killGroup('SIGKILL'), 2_000).unref();
    }, options.timeoutSec * 1000);
    const beat = setInterval(() => heartbeat({ command, elapsedMs: Date.now() - started }), 3_000);
    // A cancelled activity must not leave the user's command running.
    let cancelled: Promise<unknown> | undefined;
    try {
      cancelled = Context.current().cancelled;
    } catch {
      cancelled = undefined;
    }
    cancelled?.catch(() => killGroup('SIGKILL'));
    child.on('error', (err) => {
      clearTimeout(timer);
      clearInterval(beat);
      reject(err);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      clearInterval(beat);
      resolve({
        command,
        exitCode: code,
        signal,
        timedOut,
        durationMs: Date.now() - started,
        stdout,
        stderrTail: stderr,
      });
    });
  });
}
