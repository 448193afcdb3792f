/**
 * Processes ratchet owns (an agent, a session's watcher): spawned detached on
 * `execa` so they outlive the worker, tagged with RATCHET_OWNER=<owner> in
 * their environment (it survives `exec` in a user's command), and stopped by
 * process group — SIGTERM, then SIGKILL after a grace period. A pid is only
 * signalled while it still carries its owner's tag, so a recycled pid is
 * never killed by mistake. Liveness and ownership read /proc (Linux).
 */
import { open, readdir, readFile } from 'node:fs/promises';
import { setTimeout as delay } from 'node:timers/promises';
import { execaModule } from './execa';

/** The environment variable that marks a process as ours. */
export const OWNER_ENV = 'RATCHET_OWNER';

/** Alive and not a zombie. */
export async function isAlive(pid: number): Promise<boolean> {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  try {
    return !/\) Z /.test(await readFile(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true; // no /proc: trust kill(0)
  }
}

/** The RATCHET_OWNER tag of a live process, if any. */
export async function ownerOf(pid: number): Promise<string | null> {
  try {
    const environ = (await readFile(`/proc/${pid}/environ`, 'utf8')).split('\0');
    const tag = environ.find((e) => e.startsWith(`${OWNER_ENV}=`));
    return tag ? tag.slice(OWNER_ENV.length + 1) : null;
  } catch {
    return null;
  }
}

/** True when pid is alive and carries RATCHET_OWNER=<owner> (or names the owner on its command line). */
export async function ownedBy(pid: number, owner: string): Promise<boolean> {
  if (!(await isAlive(pid))) return false;
  if ((await ownerOf(pid)) === owner) return true;
  try {
    return (await readFile(`/proc/${pid}/cmdline`, 'utf8'))
      .split('\0')
      .some((arg) => arg.includes(owner));
  } catch {
    return false;
  }
}

/** Tells which data dir a process belongs to, so one ratchet never touches another's. */
export const DATA_DIR_ENV = 'RATCHET_DATA_DIR';

export interface TaggedProcess {
  pid: number;
  owner: string;
  dataDir: string | null;
  /** Its process group's id: an owned process and the children it started share one. */
  pgid: number;
}

/** null when the process is gone (a short-lived child exiting mid-scan). */
async function pgidOf(pid: number): Promise<number | null> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command (which may hold spaces) : state ppid pgrp …
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
  } catch {
    return null;
  }
}

/** The processes that stand for their group: its leader, or any member whose leader is gone. */
export function groupRepresentatives(procs: TaggedProcess[]): TaggedProcess[] {
  const leaders = new Set(procs.filter((p) => p.pgid === p.pid).map((p) => p.pid));
  return procs.filter((p) => p.pgid === p.pid || !leaders.has(p.pgid));
}

/** Every live process tagged with an owner (the janitor's inventory). */
export async function ownedProcesses(): Promise<TaggedProcess[]> {
  const out: TaggedProcess[] = [];
  let entries: string[];
  try {
    entries = await readdir('/proc');
  } catch {
    return out;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    let environ: string[];
    try {
      environ = (await readFile(`/proc/${pid}/environ`, 'utf8')).split('\0');
    } catch {
      continue;
    }
    const tag = (name: string) =>
      environ.find((e) => e.startsWith(`${name}=`))?.slice(name.length + 1) ?? null;
    const owner = tag(OWNER_ENV);
    // A process that exits between these reads is skipped: taking its pid for its group
    // (as this once did) made a dying `touch` of an agent's loop look like a second agent.
    const pgid = owner && (await isAlive(pid)) ? await pgidOf(pid) : null;
    if (owner && pgid !== null) out.push({ pid, owner, dataDir: tag(DATA_DIR_ENV), pgid });
  }
  return out;
}

export interface DetachedOptions {
  cwd: string;
  /** stdout and stderr are appended here. */
  logFile: string;
  owner: string;
  env?: NodeJS.ProcessEnv;
}

/** Starts `command` in its own process group, detached from the worker; returns its pid. */
export async function spawnDetached(
  command: string,
  args: string[],
  options: DetachedOptions,
): Promise<number> {
  const { execa } = await execaModule();
  const log = await open(options.logFile, 'a');
  try {
    const child = execa(command, args, {
      cwd: options.cwd,
      env: { ...options.env, [OWNER_ENV]: options.owner },
      detached: true,
      cleanup: false,
      reject: false,
      // The child inherits the log's descriptor itself: no pipe through us that our death would break.
      // (execa's types take only literal fd numbers; any open descriptor works.)
      stdin: 'ignore',
      stdout: log.fd as 3,
      stderr: log.fd as 3,
    });
    child.catch(() => undefined);
    child.unref();
    if (!child.pid) throw new Error(`could not start ${command}`);
    return child.pid;
  } finally {
    await log.close();
  }
}

export type StopResult = 'not_running' | 'terminated' | 'killed';

function signal(pid: number, sig: NodeJS.Signals): boolean {
  try {
    process.kill(-pid, sig); // the whole group: a shell command's children go too
    return true;
  } catch {
    try {
      process.kill(pid, sig);
      return true;
    } catch {
      return false;
    }
  }
}

/** Stops the process if it is still ours; "not running" is a success (idempotent). */
export async function stopProcess(pid: number, owner: string, graceMs = 3000): Promise<StopResult> {
  if (!(await ownedBy(pid, owner))) return 'not_running';
  if (!signal(pid, 'SIGTERM')) return 'not_running';
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (!(await isAlive(pid))) return 'terminated';
    await delay(50);
  }
  if (!signal(pid, 'SIGKILL')) return 'terminated';
  for (let i = 0; i < 40 && (await isAlive(pid)); i++) await delay(50);
  return 'killed';
}
