/**
 * Finds what no live workflow owns, by the ownership tags the operations
 * record: registry entries (ownerWorkflowId), `owner.json` in agent folders,
 * `session.json` in `.session_` directories, RATCHET_OWNER/RATCHET_DATA_DIR on
 * processes, `ratchet/agent-<id>` and `ratchet/session-<id>` branches in the
 * repositories the registry lists, lock directories nobody refreshes, and
 * service copies whose copy workflow is gone (./services.ts).
 *
 * A thing is left alone when its entry is active (a finished creation), when
 * its owner workflow or a delete of it is running, or when it is younger than
 * minAgeMs (its creator may not be visible yet).
 */
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Cleanup, Orphan } from '../../domain/janitor';
import type { RegistryState } from '../../domain/registry';
import { agentPaths } from '../agents/agentSteps';
import { readRegistry } from '../agents/registry';
import { sessionPaths } from '../agents/sessionSteps';
import { readJson } from '../infra/atomicFile';
import { gitIn } from '../infra/git';
import { branchExists } from '../agents/git';
import { isStaleLock } from '../infra/locks';
import { groupRepresentatives, ownedProcesses, type TaggedProcess } from '../infra/processes';
import { scanServiceCopies } from './services';

const ID = /^[a-z0-9][a-z0-9-]{0,60}$/;

export interface ScanInput {
  dataDir: string;
  /** Ids of running workflows. */
  running: Set<string>;
  minAgeMs: number;
  now?: number;
}

async function list(dir: string): Promise<string[]> {
  return readdir(dir).catch(() => []);
}

async function ageMs(file: string, now: number): Promise<number | null> {
  const s = await stat(file).catch(() => null);
  return s ? now - s.mtimeMs : null;
}

async function branchIds(repo: string, prefix: string): Promise<string[]> {
  try {
    const out = await gitIn(repo, [
      'for-each-ref',
      '--format=%(refname:short)',
      `refs/heads/${prefix}`,
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
  const procsOf = (id: string) => procs.filter((p) => p.owner === id);
  const deleting = (kind: 'agent' | 'session', id: string) =>
    [...running].some((w) => w.startsWith(`${kind}-delete-${id}-`));
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

  const stops = (ps: TaggedProcess[]): Cleanup[] =>
    ps.map((p) => ({
      actionType: 'stop_process',
      activity: 'stopOrphanProcess',
      args: { pid: p.pid, owner: p.owner },
      priority: 95,
    }));

  for (const id of agentIds) {
    const entry = reg.agents[id];
    if (entry?.status === 'active') continue;
    const p = agentPaths(dataDir, id);
    const tag = await readJson<{ workflowId?: string; repo?: string | null }>(p.ownerFile).catch(
      () => undefined,
    );
    const owner = entry?.ownerWorkflowId ?? tag?.workflowId ?? null;
    if ((owner && running.has(owner)) || deleting('agent', id)) continue;
    const age = entry
      ? now - Date.parse(entry.createdAt)
      : ((await ageMs(p.dir, now)) ?? (await ageMs(p.worktree, now)) ?? Infinity);
    if (age < input.minAgeMs) continue;
    const repoList = new Set<string>();
    const known = entry?.repo ?? tag?.repo ?? null;
    if (known) repoList.add(known);
    for (const repo of repos) if (await branchExists(repo, p.branch)) repoList.add(repo);
    const resources = [
      ...(entry ? [`registry agent ${id} (${entry.status})`] : []),
      ...(reg.allocations[id] ? [`quota booking ${id}`] : []),
      ...((await ageMs(p.dir, now)) !== null ? [p.dir] : []),
      ...((await ageMs(p.worktree, now)) !== null ? [p.worktree] : []),
      ...[...repoList].map((r) => `${r}: ${p.branch}`),
      ...procsOf(id).map((x) => `process ${x.pid}`),
    ];
    const cleanups: Cleanup[] = [
      {
        actionType: 'remove_record',
        activity: 'removeAgentRecord',
        args: { agentId: id },
        priority: 100,
      },
      ...stops(procsOf(id)),
      {
        actionType: 'terminate_process',
        activity: 'terminateAgentProcess',
        args: { agentId: id },
        priority: 95,
      },
      ...[...repoList].map((repo) => ({
        actionType: 'remove_worktree',
        activity: 'removeAgentWorktree',
        args: { agentId: id, repo },
        priority: 90,
      })),
      {
        actionType: 'release_quota',
        activity: 'releaseAgentQuota',
        args: { agentId: id },
        priority: 80,
      },
      {
        actionType: 'remove_state',
        activity: 'removeAgentState',
        args: { agentId: id },
        priority: 70,
      },
      {
        actionType: 'remove_session_dir',
        activity: 'removeAgentScratch',
        args: { agentId: id },
        priority: 60,
      },
      {
        actionType: 'remove_agent_folder',
        activity: 'removeAgentFolder',
        args: { agentId: id },
        priority: 10,
      },
    ];
    orphans.push({
      kind: resources.every((r) => r.startsWith('process ')) ? 'process' : 'agent',
      id,
      ownerWorkflowId: owner,
      reason: owner ? `its workflow ${owner} is not running` : 'no workflow owns it',
      resources,
      cleanups,
    });
  }

  for (const id of sessionIds) {
    const entry = reg.sessions[id];
    if (entry?.status === 'active') continue;
    const p = sessionPaths(dataDir, id);
    const tag = await readJson<{ workflowId?: string; repo?: string | null }>(
      path.join(p.dir, 'session.json'),
    ).catch(() => undefined);
    const owner = entry?.ownerWorkflowId ?? tag?.workflowId ?? null;
    if ((owner && running.has(owner)) || deleting('session', id)) continue;
    const age = entry
      ? now - Date.parse(entry.createdAt)
      : ((await ageMs(p.dir, now)) ?? (await ageMs(p.watcherPidFile, now)) ?? Infinity);
    if (age < input.minAgeMs) continue;
    const repoList = new Set<string>();
    const known = entry?.repo ?? tag?.repo ?? null;
    if (known) repoList.add(known);
    for (const repo of repos) if (await branchExists(repo, p.branch)) repoList.add(repo);
    orphans.push({
      kind: 'session',
      id,
      ownerWorkflowId: owner,
      reason: owner ? `its workflow ${owner} is not running` : 'no workflow owns it',
      resources: [
        ...(entry ? [`registry session ${id} (${entry.status})`] : []),
        ...((await ageMs(p.dir, now)) !== null ? [p.dir] : []),
        ...[...repoList].map((r) => `${r}: ${p.branch}`),
        ...procsOf(id).map((x) => `process ${x.pid}`),
      ],
      cleanups: [
        {
          actionType: 'remove_record',
          activity: 'removeSessionRecord',
          args: { sessionId: id },
          priority: 100,
        },
        {
          actionType: 'remove_session_dir',
          activity: 'removeSessionDir',
          args: { sessionId: id },
          priority: 80,
        },
        ...[...repoList].map((repo) => ({
          actionType: 'git_cleanup',
          activity: 'detachSessionGit',
          args: { sessionId: id, repo },
          priority: 70,
        })),
        ...stops(procsOf(id)),
        {
          actionType: 'monitoring_cleanup',
          activity: 'stopSessionWatcher',
          args: { sessionId: id },
          priority: 60,
        },
      ],
    });
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
