/**
 * The agent and session registry is a file under the data dir: listing needs no
 * server, like `git branch`, and loads no Temporal client.
 */
import { readJson } from '../activities/infra/readJson';
import {
  EMPTY_REGISTRY,
  registryFile,
  type AgentEntry,
  type RegistryState,
  type SessionEntry,
} from '../domain/registry';

async function readRegistry(dataDir: string): Promise<RegistryState> {
  return { ...EMPTY_REGISTRY, ...(await readJson<Partial<RegistryState>>(registryFile(dataDir))) };
}

export async function listAgents(dataDir: string): Promise<AgentEntry[]> {
  return Object.values((await readRegistry(dataDir)).agents);
}

export async function listSessions(dataDir: string): Promise<SessionEntry[]> {
  return Object.values((await readRegistry(dataDir)).sessions);
}
