/**
 * THE command runner: every user command ratchet runs (test, gate, metrics,
 * mutator, smoke, pipeline steps) goes through `runCommand`.
 *
 * - Own process group (`detached`), so the command and everything it starts
 *   are killed together: at the timeout (SIGTERM, then SIGKILL after a grace),
 *   when the activity is cancelled, and as soon as the main process exits
 *   (background children do not outlive their command).
 * - Every process it starts carries `RATCHET_COMMAND_ID` in its environment,
 *   so `processesInDir` can find escapees (a `setsid` daemon) and leftovers of
 *   a worker that was SIGKILLed mid-command, by their cwd under /proc — and
 *   never touch an operator's shell that happens to sit in the workspace.
 * - Output limits: stdout kept whole up to `limits.stdoutBytes` (the metrics
 *   command prints its JSON there), stderr as a tail.
 * - Heartbeats while it runs, when called from an activity.
 *
 * Sandboxing plugs in at `toSpawnSpec` / `RunOptions.transform`: the single
 * place a `CommandSpec` becomes the argv, cwd and env that get spawned, so a
 * sandbox (bubblewrap) wraps the spawn spec without touching callers.
 *
 * Built on execa (spawning, env, stream handling); the group kill is ours
 * because execa's own timeout and cancel kill the main pid only.
 */
import { randomUUID } from 'node:crypto';
import { readFile, readdir, readlink } from 'node:fs/promises';
import path from 'node:path';
import { Context } from '@temporalio/activity';
import { classifyCommandEnd, type LimitKind, type SandboxSettings } from '../../domain/sandbox';
import { prepareSandboxedCommand, type PreparedCommand } from './sandbox';
import type { execa as ExecaFn } from 'execa' with { 'resolution-mode': 'import' };

export interface CommandLimits {
  /** stdout kept up to this many characters. @default 2_000_000 */
  stdoutBytes?: number;
  /** Last characters of stderr kept. @default 8_000 */
  stderrTailBytes?: number;
}

export interface CommandSpec {
  /** A shell command the user wrote: run with `sh -c`. */
  command: string;
  cwd: string;
  timeoutSec: number;
  env?: Record<string, string>;
  limits?: CommandLimits;
  /** Between SIGTERM and SIGKILL of the group. @default 2000 */
  killGraceMs?: number;
  /**
   * The cwd belongs to this command alone (an evolution workspace): marked
   * processes left in it by an earlier command (a worker SIGKILLed mid-run)
   * are killed before this one starts. Never set it for a shared cwd like /tmp.
   * @default false
   */
  exclusiveCwd?: boolean;
  /**
   * Run it sandboxed (see activities/infra/sandbox.ts): `workspace` the only
   * writable place, `hide` invisible, the environment an allow-list.
   */
  sandbox?: { settings: SandboxSettings; workspace: string; hide: readonly string[] };
}

/** What is actually spawned; a sandbox may rewrite it. */
export interface SpawnSpec {
  file: string;
  args: string[];
  cwd: string;
  env: Record<string, string>;
}

export interface RunOptions {
  transform?: (spec: SpawnSpec) => SpawnSpec;
}

export interface CommandResult {
  command: string;
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  /** The activity was cancelled and the group killed. */
  cancelled: boolean;
  durationMs: number;
  stdout: string;
  stdoutTruncated: boolean;
  /** Last few KB of stderr. */
  stderrTail: string;
  /** The command could not start (e.g. its cwd is gone). */
  spawnError: string | null;
  /** Processes of this command still alive after it exited (then killed). */
  leftProcesses: number;
  /** The sandbox limit the command hit (it was ended for it), or null. */
  limit: LimitKind | null;
  /** How the command was isolated: `bwrap`, `limits` (fallback), `off`, or `none` (not a sandboxed command). */
  isolation: PreparedCommand['isolation'] | 'none';
}

export const COMMAND_ID_ENV = 'RATCHET_COMMAND_ID';
const DEFAULT_STDOUT = 2_000_000;
const DEFAULT_STDERR_TAIL = 8_000;
const HEARTBEAT_MS = 3_000;

type Execa = typeof ExecaFn;
let execaFn: Promise<Execa> | undefined;
/** execa is ESM-only: loaded on first use (also keeps CLI start-up fast). */
function loadExeca(): Promise<Execa> {
  execaFn ??= import('execa').then((m) => m.execa);
  return execaFn;
}

export function toSpawnSpec(spec: CommandSpec, commandId: string): SpawnSpec {
  return {
    file: 'sh',
    args: ['-c', spec.command],
    cwd: spec.cwd,
    env: { ...spec.env, [COMMAND_ID_ENV]: commandId },
  };
}

function activityContext(): Context | undefined {
  try {
    return Context.current();
  } catch {
    return undefined; // outside an activity (CLI, tests)
  }
}

/** `pid (comm) S ppid pgrp …`: state and process group, read after the last ')'. */
function parseStat(stat: string): { state: string; pgrp: number } | null {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return fields.length > 2 ? { state: fields[0]!, pgrp: Number(fields[2]) } : null;
}

/**
 * Whether any member of the group still runs. Zombies do not count: where
 * PID 1 does not reap orphans they linger, run nothing, and cannot be killed.
 */
async function groupAlive(pgid: number): Promise<boolean> {
  try {
    process.kill(-pgid, 0);
  } catch {
    return false;
  }
  let entries: string[];
  try {
    entries = await readdir('/proc');
  } catch {
    return true; // no procfs: trust kill(0)
  }
  for (const name of entries) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = parseStat(await readFile(`/proc/${name}/stat`, 'latin1'));
      if (stat && stat.pgrp === pgid && stat.state !== 'Z') return true;
    } catch {
      // gone meanwhile
    }
  }
  return false;
}

function killGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // already gone
  }
}

/** TERM, then KILL after the grace; resolves when the group is gone (or after a bounded wait). */
async function terminateGroup(pgid: number, graceMs: number): Promise<void> {
  killGroup(pgid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while ((await groupAlive(pgid)) && Date.now() < deadline) await pause(50);
  killGroup(pgid, 'SIGKILL');
  const hard = Date.now() + 5_000;
  while ((await groupAlive(pgid)) && Date.now() < hard) await pause(20);
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function runCommand(
  spec: CommandSpec,
  options: RunOptions = {},
): Promise<CommandResult> {
  const execa = await loadExeca();
  const started = Date.now();
  const commandId = randomUUID();
  const base = toSpawnSpec(spec, commandId);
  const prepared = spec.sandbox
    ? await prepareSandboxedCommand({
        command: spec.command,
        workspace: spec.sandbox.workspace,
        cwd: spec.cwd,
        settings: spec.sandbox.settings,
        hide: spec.sandbox.hide,
        extraEnv: spec.env,
      })
    : undefined;
  // Inside bubblewrap the pid namespace ends every process with the command; elsewhere
  // the marker is how escapees are found.
  const sandboxed: SpawnSpec | undefined = prepared && {
    file: prepared.file,
    args: prepared.args,
    cwd: prepared.cwd,
    env:
      prepared.isolation === 'bwrap'
        ? prepared.env
        : { ...prepared.env, [COMMAND_ID_ENV]: commandId },
  };
  const spawn = sandboxed ?? (options.transform ? options.transform(base) : base);
  const stdoutLimit = spec.limits?.stdoutBytes ?? DEFAULT_STDOUT;
  const stderrLimit = spec.limits?.stderrTailBytes ?? DEFAULT_STDERR_TAIL;
  const graceMs = spec.killGraceMs ?? 2_000;
  const ctx = activityContext();

  // Leftovers of an earlier attempt (a worker SIGKILLed mid-command) must not run alongside.
  if (spec.exclusiveCwd) await killProcessesInDir(spec.cwd);

  const child = execa(spawn.file, spawn.args, {
    cwd: spawn.cwd,
    env: spawn.env,
    // A sandboxed command gets its allow-list and nothing of the worker's environment.
    extendEnv: !prepared,
    detached: true,
    stdin: 'ignore',
    buffer: false,
    reject: false,
    cleanup: false,
  });
  let stdout = '';
  let stdoutTruncated = false;
  let stderr = '';
  // The sandbox's output limit ends the command (a flood is a candidate's doing, not noise to keep).
  let outputBytes = 0;
  let outputExceeded = false;
  const countOutput = (c: string) => {
    if (!prepared || outputExceeded) return;
    outputBytes += Buffer.byteLength(c);
    if (outputBytes > prepared.outputBytes) {
      outputExceeded = true;
      stop();
    }
  };
  child.stdout?.on('data', countOutput);
  child.stderr?.on('data', countOutput);
  child.stdout?.setEncoding('utf8').on('data', (c: string) => {
    if (stdout.length + c.length <= stdoutLimit) stdout += c;
    else {
      stdout += c.slice(0, Math.max(0, stdoutLimit - stdout.length));
      stdoutTruncated = true;
    }
  });
  child.stderr?.setEncoding('utf8').on('data', (c: string) => {
    stderr = (stderr + c).slice(-stderrLimit);
  });

  const pgid = child.pid;
  let timedOut = false;
  let cancelled = false;
  let killing: Promise<void> | undefined;
  const stop = () => {
    if (pgid) killing ??= terminateGroup(pgid, graceMs);
  };
  const timer = setTimeout(() => {
    timedOut = true;
    stop();
  }, spec.timeoutSec * 1000);
  const beat = setInterval(
    () => ctx?.heartbeat({ command: spec.command, elapsedMs: Date.now() - started }),
    HEARTBEAT_MS,
  );
  const onCancel = () => {
    cancelled = true;
    stop();
  };
  ctx?.cancellationSignal.addEventListener('abort', onCancel);

  // When the main process exits, whatever it left in its group goes with it.
  let groupOutlived = false;
  let exitCheck: Promise<void> = Promise.resolve();
  child.once('exit', () => {
    exitCheck = (async () => {
      if (pgid && !killing && (await groupAlive(pgid))) {
        groupOutlived = true;
        stop();
      }
    })();
  });

  try {
    const result = await child;
    await exitCheck;
    if (killing) await killing;
    const escaped = await killProcessesInDir(spec.cwd, commandId);
    const evidence = await prepared?.finish();
    const spawnFailed = result.failed && result.exitCode === undefined && !result.signal;
    const ended = classifyCommandEnd({
      exitCode: result.exitCode,
      signal: result.signal,
      timedOut,
      outputExceeded,
      // A test runner reports its children's last words on stdout (node --test does).
      stderrTail: `${stdout.slice(-4000)}\n${stderr}`,
      cgroup: evidence,
    });
    return {
      command: spec.command,
      exitCode: result.exitCode ?? null,
      signal: result.signal ?? null,
      timedOut,
      cancelled,
      durationMs: Date.now() - started,
      stdout,
      stdoutTruncated,
      stderrTail: spawnFailed ? (result.shortMessage ?? stderr) : stderr,
      spawnError: spawnFailed ? (result.shortMessage ?? 'could not start') : null,
      leftProcesses:
        escaped +
        (groupOutlived && !timedOut && !cancelled ? 1 : 0) +
        (evidence?.leftProcesses ?? 0),
      limit: prepared && ended.reason === 'resource_limit' ? (ended.limit ?? null) : null,
      isolation: prepared?.isolation ?? 'none',
    };
  } finally {
    clearTimeout(timer);
    clearInterval(beat);
    ctx?.cancellationSignal.removeEventListener('abort', onCancel);
  }
}

function isWithin(child: string, parent: string): boolean {
  const rel = path.relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/**
 * Pids whose working directory (/proc/PID/cwd) is `dir` or inside it. With
 * `marker`, only processes whose environment holds `RATCHET_COMMAND_ID`
 * (`true`: any value; a string: exactly that one). Processes of other users
 * (unreadable) are skipped; never this process.
 */
export async function processesInDir(dir: string, marker?: string | true): Promise<number[]> {
  const root = path.resolve(dir);
  let entries: string[];
  try {
    entries = await readdir('/proc');
  } catch {
    return []; // no procfs: nothing we can find
  }
  const found: number[] = [];
  for (const name of entries) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    try {
      const cwd = (await readlink(`/proc/${name}/cwd`)).replace(/ \(deleted\)$/, '');
      if (!isWithin(cwd, root)) continue;
      if (marker !== undefined) {
        const environ = (await readFile(`/proc/${name}/environ`, 'latin1')).split('\0');
        const want = marker === true ? `${COMMAND_ID_ENV}=` : `${COMMAND_ID_ENV}=${marker}`;
        if (!environ.some((e) => (marker === true ? e.startsWith(want) : e === want))) continue;
      }
      if (parseStat(await readFile(`/proc/${name}/stat`, 'latin1'))?.state === 'Z') continue; // runs nothing
      found.push(Number(name));
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  return found;
}

/**
 * SIGKILLs the commands ratchet started (marked) that still run inside `dir`,
 * waits until they are gone; returns how many there were.
 */
export async function killProcessesInDir(
  dir: string,
  marker: string | true = true,
): Promise<number> {
  const pids = await processesInDir(dir, marker);
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
  const deadline = Date.now() + 5_000;
  while (Date.now() < deadline && (await processesInDir(dir, marker)).length) await pause(20);
  return pids.length;
}
