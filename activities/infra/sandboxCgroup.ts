/**
 * A cgroup per sandboxed command, where the machine lets ratchet make one:
 * the limits rlimits cannot give (processes for a root worker, which the
 * kernel exempts from RLIMIT_NPROC; memory of the whole tree) and reliable
 * evidence (the kernel's OOM-kill and pids-max counters). Optional: without a
 * writable cgroup the rlimits alone apply and `ratchet doctor` says so.
 *
 * Hand-written (no library covers cgroup v1 and v2 from Node): a few files
 * under /sys/fs/cgroup, nothing else.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, rmdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { SandboxLimits } from '../../domain/sandbox';

const ROOT = '/sys/fs/cgroup';

export interface CgroupHost {
  version: 'v1' | 'v2';
  /** Directories children are created under: one per v1 controller, one for v2. */
  parents: { memory: string; pids: string };
}

export interface CommandCgroup {
  /** Files the launcher writes its own pid into before it execs the command. */
  procsFiles: string[];
  /** Kills whatever is left in the cgroup, reads its counters, removes it. */
  finish(): Promise<{ oomKilled: boolean; pidsLimitHit: boolean }>;
}

/** The calling process's cgroup path per v1 controller, and "" for v2. */
async function ownPaths(): Promise<Map<string, string>> {
  const map = new Map<string, string>();
  const text = await readFile('/proc/self/cgroup', 'utf8').catch(() => '');
  for (const line of text.split('\n')) {
    const [, controllers, p] = line.split(':');
    if (controllers === undefined || p === undefined) continue;
    for (const c of controllers.split(',')) map.set(c, p);
  }
  return map;
}

async function canCreateChild(parent: string, needs: string[]): Promise<boolean> {
  const probe = path.join(parent, `ratchet-probe-${process.pid}`);
  try {
    await mkdir(probe);
  } catch {
    return false;
  }
  const ok = needs.every((f) => existsSync(path.join(probe, f)));
  await rmdir(probe).catch(() => undefined);
  return ok;
}

/** Finds a place to create per-command cgroups, or null. Sweeps leftovers of dead workers. */
export async function detectCgroup(): Promise<CgroupHost | null> {
  const own = await ownPaths();
  const v2 = existsSync(path.join(ROOT, 'cgroup.controllers'));
  let host: CgroupHost | null = null;
  if (v2) {
    const parent = path.join(ROOT, own.get('') ?? '/');
    if (await canCreateChild(parent, ['pids.max', 'memory.max']))
      host = { version: 'v2', parents: { memory: parent, pids: parent } };
  } else {
    const memory = path.join(ROOT, 'memory', own.get('memory') ?? '/');
    const pids = path.join(ROOT, 'pids', own.get('pids') ?? '/');
    if (
      (await canCreateChild(memory, ['memory.limit_in_bytes'])) &&
      (await canCreateChild(pids, ['pids.max']))
    )
      host = { version: 'v1', parents: { memory, pids } };
  }
  if (host) await sweepStale(host);
  return host;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function sweepStale(host: CgroupHost): Promise<void> {
  for (const parent of new Set([host.parents.memory, host.parents.pids])) {
    const names = await readdir(parent).catch(() => [] as string[]);
    for (const name of names) {
      const m = /^ratchet-(\d+)-\d+$/.exec(name);
      if (m && !alive(Number(m[1]))) await emptyAndRemove(path.join(parent, name), host.version);
    }
  }
}

async function pidsIn(dir: string): Promise<number[]> {
  const text = await readFile(path.join(dir, 'cgroup.procs'), 'utf8').catch(() => '');
  return text.split('\n').filter(Boolean).map(Number);
}

async function emptyAndRemove(dir: string, version: 'v1' | 'v2'): Promise<void> {
  if (version === 'v2') await writeFile(path.join(dir, 'cgroup.kill'), '1').catch(() => undefined);
  // v1 has no cgroup.kill: kill what is listed until nothing is (a fork may race one pass).
  for (let pass = 0; pass < 100; pass++) {
    const pids = await pidsIn(dir);
    if (pids.length === 0) break;
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone already
      }
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  for (let pass = 0; pass < 100; pass++) {
    try {
      await rmdir(dir);
      return;
    } catch {
      // a killed process leaves the cgroup only once reaped
      await new Promise((r) => setTimeout(r, 10));
    }
  }
}

function counter(text: string, key: string): number {
  const m = new RegExp(`^${key} (\\d+)$`, 'm').exec(text);
  return m ? Number(m[1]) : 0;
}

let serial = 0;

export async function createCommandCgroup(
  host: CgroupHost,
  limits: SandboxLimits,
): Promise<CommandCgroup> {
  const name = `ratchet-${process.pid}-${++serial}`;
  const memory = path.join(host.parents.memory, name);
  const pids = path.join(host.parents.pids, name);
  const bytes = String(limits.memoryMb * 1024 * 1024);
  await mkdir(memory);
  if (pids !== memory) await mkdir(pids);
  if (host.version === 'v2') {
    await writeFile(path.join(memory, 'memory.max'), bytes);
    await writeFile(path.join(memory, 'memory.swap.max'), '0').catch(() => undefined);
  } else {
    await writeFile(path.join(memory, 'memory.limit_in_bytes'), bytes);
  }
  await writeFile(path.join(pids, 'pids.max'), String(limits.processes));
  const procsFiles = [...new Set([memory, pids])].map((d) => path.join(d, 'cgroup.procs'));
  return {
    procsFiles,
    async finish() {
      const memEvents = await readFile(
        path.join(memory, host.version === 'v2' ? 'memory.events' : 'memory.oom_control'),
        'utf8',
      ).catch(() => '');
      const pidEvents = await readFile(path.join(pids, 'pids.events'), 'utf8').catch(() => '');
      for (const dir of new Set([memory, pids])) await emptyAndRemove(dir, host.version);
      return {
        oomKilled: counter(memEvents, 'oom_kill') > 0,
        pidsLimitHit: counter(pidEvents, 'max') > 0,
      };
    },
  };
}
