/**
 * Activities of the agent and session operations: each step, each
 * compensation, and the registry reads the sagas use to prove they left
 * nothing behind.
 */
import { createAgentSteps } from './agentSteps';
import { createAuditActivities } from './audit';
import { createDriftActivities } from './drift';
import { Registry, snapshotOf } from './registry';
import type { AgentEntry, RegistrySnapshot, SessionEntry } from '../../domain/registry';
import { createSessionSteps } from './sessionSteps';

export type { AgentEntry, RegistrySnapshot, SessionEntry };

export function diffSnapshots(before: RegistrySnapshot, after: RegistrySnapshot): string[] {
  const out: string[] = [];
  for (const key of ['agents', 'sessions', 'allocations'] as const) {
    const b = new Set(before[key]);
    const a = new Set(after[key]);
    for (const id of a) if (!b.has(id)) out.push(`${key}: ${id} is still there`);
    for (const id of b) if (!a.has(id)) out.push(`${key}: ${id} disappeared`);
  }
  return out;
}

export const createAgentActivities = (deps: { dataDir: string }) => {
  const registry = new Registry(deps.dataDir);
  return {
    ...createAgentSteps(deps),
    ...createSessionSteps(deps),
    ...createDriftActivities(deps),
    ...createAuditActivities(deps),
    async registrySnapshot(): Promise<RegistrySnapshot> {
      return snapshotOf(await registry.read());
    },
    /** Differences between the registry now and a snapshot taken before the operation. */
    async registryDrift(input: { before: RegistrySnapshot }): Promise<string[]> {
      return diffSnapshots(input.before, snapshotOf(await registry.read()));
    },
    async getAgent(input: { agentId: string }): Promise<AgentEntry | null> {
      return (await registry.read()).agents[input.agentId] ?? null;
    },
    async getSession(input: { sessionId: string }): Promise<SessionEntry | null> {
      return (await registry.read()).sessions[input.sessionId] ?? null;
    },
  };
};

export type AgentActivities = ReturnType<typeof createAgentActivities>;
