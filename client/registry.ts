/** The agent and session registry is a file under the data dir: listing needs no server, like `git branch`. */
import type { AgentEntry, SessionEntry } from '../activities/agents';
import { Registry } from '../activities/agents/registry';

export function listAgents(dataDir: string): AgentEntry[] {
  return Object.values(new Registry(dataDir).read().agents);
}

export function listSessions(dataDir: string): SessionEntry[] {
  return Object.values(new Registry(dataDir).read().sessions);
}
