/**
 * The registry of agents, sessions and quota bookings: the data contract
 * shared by the activities that write it, the CLI that lists it and the
 * janitor that reconciles it. One JSON file under the data dir.
 */
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
  /** The workflow that created it: the ownership tag the janitor checks. */
  ownerWorkflowId?: string | null;
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
  ownerWorkflowId?: string | null;
}

export interface Allocation {
  agentId: string;
  memoryMb: number;
}

export interface RegistryState {
  agents: Record<string, AgentEntry>;
  sessions: Record<string, SessionEntry>;
  allocations: Record<string, Allocation>;
  /** Every repository an operation branched, so the janitor knows where to look for branches. */
  repos?: string[];
}

export interface QuotaLimits {
  maxAgents: number;
  memoryBudgetMb: number;
}

export const EMPTY_REGISTRY: RegistryState = { agents: {}, sessions: {}, allocations: {} };

export function registryFile(dataDir: string): string {
  return `${dataDir.replace(/\/+$/, '')}/registry/registry.json`;
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
