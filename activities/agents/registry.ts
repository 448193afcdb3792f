/**
 * The registry of agents, sessions and quota bookings: one JSON file under
 * the data dir, written atomically (temp file + rename) under a lock that
 * works across workflows and processes (an exclusive lock directory, broken
 * when its holder is gone).
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';

export interface AgentEntry {
  id: string;
  name: string;
  status: 'creating' | 'active';
  createdAt: string;
  pid: number | null;
  worktree: string | null;
  branch: string | null;
  repo: string | null;
  sessionDir: string | null;
  stateFile: string | null;
}

export interface SessionEntry {
  id: string;
  name: string;
  status: 'creating' | 'active';
  createdAt: string;
  dir: string | null;
  repo: string | null;
  branch: string | null;
  watcherPid: number | null;
}

export interface Allocation {
  agentId: string;
  memoryMb: number;
}

export interface RegistryState {
  agents: Record<string, AgentEntry>;
  sessions: Record<string, SessionEntry>;
  allocations: Record<string, Allocation>;
}

export interface QuotaLimits {
  maxAgents: number;
  memoryBudgetMb: number;
}

const EMPTY: RegistryState = { agents: {}, sessions: {}, allocations: {} };

export class Registry {
  readonly file: string;
  private readonly lockDir: string;

  constructor(readonly dataDir: string) {
    this.file = path.join(dataDir, 'registry', 'registry.json');
    this.lockDir = path.join(dataDir, 'registry', '.lock');
  }

  read(): RegistryState {
    if (!existsSync(this.file)) return structuredClone(EMPTY);
    return {
      ...structuredClone(EMPTY),
      ...(JSON.parse(readFileSync(this.file, 'utf8')) as RegistryState),
    };
  }

  /** Read-modify-write under the lock; `change` may throw to abort without writing. */
  async update<T>(change: (state: RegistryState) => T): Promise<T> {
    await this.lock();
    try {
      const state = this.read();
      const result = change(state);
      mkdirSync(path.dirname(this.file), { recursive: true });
      const tmp = `${this.file}.${process.pid}.${Date.now()}.tmp`;
      writeFileSync(tmp, `${JSON.stringify(state, null, 2)}\n`);
      renameSync(tmp, this.file);
      return result;
    } finally {
      rmSync(this.lockDir, { recursive: true, force: true });
    }
  }

  private async lock(): Promise<void> {
    mkdirSync(path.dirname(this.lockDir), { recursive: true });
    for (let attempt = 0; ; attempt++) {
      try {
        mkdirSync(this.lockDir);
        writeFileSync(path.join(this.lockDir, 'pid'), String(process.pid));
        return;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        if (this.holderGone()) {
          rmSync(this.lockDir, { recursive: true, force: true });
          continue;
        }
        if (attempt > 2000) throw new Error(`registry lock ${this.lockDir} held too long`);
        await delay(5 + Math.random() * 10);
      }
    }
  }

  /** A lock whose holder process died (a killed worker) must not block everyone forever. */
  private holderGone(): boolean {
    try {
      const pid = Number(readFileSync(path.join(this.lockDir, 'pid'), 'utf8'));
      if (!pid) return false;
      process.kill(pid, 0);
      return false;
    } catch (err) {
      return (err as NodeJS.ErrnoException).code === 'ESRCH';
    }
  }
}

/** What the registry held before an operation, to compare with after compensating. */
export interface RegistrySnapshot {
  agents: string[];
  sessions: string[];
  allocations: string[];
}

export function snapshotOf(state: RegistryState): RegistrySnapshot {
  return {
    agents: Object.keys(state.agents).sort(),
    sessions: Object.keys(state.sessions).sort(),
    allocations: Object.keys(state.allocations).sort(),
  };
}
