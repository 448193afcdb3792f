/**
 * Finds what no live workflow owns, by the ownership tags the operations
 * record: registry entries (ownerWorkflowId), `owner.json` in agent folders,
 * `session.json` in `.session_` directories, RATCHET_OWNER/RATCHET_DATA_DIR on
 * processes, `ratchet/agent-<id>` and `ratchet/session-<id>` branches in the
 * repositories the registry lists, lock directories nobody refreshes, and
 * service copies whose copy workflow is gone (./services.ts). Here the ids
 * are gathered; each agent and session is judged by ./owned.ts.
 *
 * A thing is left alone when its entry is active (a finished creation), when
 * its owner workflow or a delete of it is running, or when it is younger than
 * minAgeMs (its creator may not be visible yet).
 */
import path from 'node:path';
import type { Orphan } from '../../domain/janitor';
import type { RegistryState } from '../../domain/registry';
import { readRegistry } from '../agents/registry';
import { gitIn } from '../infra/git';
import { isStaleLock } from '../infra/locks';
import { groupRepresentatives, ownedProcesses } from '../infra/processes';
import { list } from './files';
import { scanAgent, scanSession, type OwnedScan } from './owned';
import { scanServiceCopies } from './services';

const ID = /^[a-z0-9][a-z0-9-]{0,60}$/;

export interface ScanInput {
  dataDir: string;
  /** Ids of running workflows. */
  running: Set<string>;
  minAgeMs: number;
  now?: number;
}

async function branchIds(repo: string, prefix: string): Promise<string[]> {
  try {
    const out = await gitIn(repo, [
      'for-each-ref',
      '--format=%(refname:short)',
      // A pattern matches whole path components unless it has a glob: `agent-` alone matched nothing.
      `refs/heads/${prefix}*`,
    ]);
    return out
      .split('\n')
      .filter(Boolean)
      .map((b) => b.slice(prefix.length))
      .filter((id) => ID.test(id));
  } catch {
    return [];
  }
}

export async function scanOrphans(input: ScanInput): Promise<Orphan[]> {
  const now = input.now ?? Date.now();
  const { dataDir, running } = input;
  const reg: RegistryState = await readRegistry(dataDir);
  const repos = new Set<string>(reg.repos ?? []);
  const procs = groupRepresentatives((await ownedProcesses()).filter((p) => p.dataDir === dataDir));
  const orphans: Orphan[] = [];

  // Agents: every id anything names.
  const agentIds = new Set<string>([...Object.keys(reg.agents), ...Object.keys(reg.allocations)]);
  for (const d of await list(path.join(dataDir, 'agents'))) if (ID.test(d)) agentIds.add(d);
  for (const d of await list(path.join(dataDir, 'worktrees'))) if (ID.test(d)) agentIds.add(d);
  for (const repo of repos)
    for (const id of await branchIds(repo, 'ratchet/agent-')) agentIds.add(id);
  const sessionIds = new Set<string>(Object.keys(reg.sessions));
  for (const d of await list(path.join(dataDir, 'sessions'))) {
    if (d.startsWith('.session_') && ID.test(d.slice(9))) sessionIds.add(d.slice(9));
  }
  for (const f of await list(path.join(dataDir, 'session-watchers'))) {
    if (f.endsWith('.pid') && ID.test(f.slice(0, -4))) sessionIds.add(f.slice(0, -4));
  }
  for (const repo of repos)
    for (const id of await branchIds(repo, 'ratchet/session-')) sessionIds.add(id);
  for (const p of procs) {
    if (!ID.test(p.owner) || agentIds.has(p.owner) || sessionIds.has(p.owner)) continue;
    agentIds.add(p.owner); // a process with no other trace: stopped like an agent's
  }

  const scan: OwnedScan = { dataDir, reg, running, repos, procs, minAgeMs: input.minAgeMs, now };
  for (const id of agentIds) {
    const orphan = await scanAgent(scan, id);
    if (orphan) orphans.push(orphan);
  }
  for (const id of sessionIds) {
    const orphan = await scanSession(scan, id);
    if (orphan) orphans.push(orphan);
  }

  // Service copies (activities/services/): owned by their copy workflow.
  orphans.push(
    ...(await scanServiceCopies({ dataDir, running, minAgeMs: input.minAgeMs, now, procs })),
  );

  for (const lock of janitorLocks(dataDir)) {
    if (!(await isStaleLock(lock))) continue;
    orphans.push({
      kind: 'lock',
      id: path.relative(dataDir, lock),
      ownerWorkflowId: null,
      reason: 'nobody has refreshed it: its holder died',
      resources: [lock],
      cleanups: [
        {
          actionType: 'remove_stale_lock',
          activity: 'removeStaleLockDir',
          args: { lock },
          priority: 50,
        },
      ],
    });
  }
  return orphans;
}

/** The lock directories ratchet keeps under a data dir (and the only ones the janitor removes). */
export function janitorLocks(dataDir: string): string[] {
  return [
    path.join(dataDir, 'registry', 'registry.json.lock'),
    path.join(dataDir, 'checkpoints', 'store.lock'),
  ];
}
