/**
 * The janitor's one scanner for things an operation creates and tags with its
 * workflow (agents, sessions): the same ownership, age and branch checks for
 * each; a kind only says where its traces are and how to clean them up.
 */
import path from 'node:path';
import type { Cleanup, Orphan } from '../../domain/janitor';
import type { RegistryState } from '../../domain/registry';
import { agentPaths } from '../agents/agentSteps';
import { branchExists } from '../agents/git';
import { sessionPaths } from '../agents/sessionSteps';
import { readJson } from '../infra/atomicFile';
import type { TaggedProcess } from '../infra/processes';
import { ageMs } from './files';

/** What the scan of one data dir knows, shared by every owned thing in it. */
export interface OwnedScan {
  dataDir: string;
  reg: RegistryState;
  /** Ids of running workflows. */
  running: Set<string>;
  /** Repositories the registry lists. */
  repos: Set<string>;
  /** Tagged processes under the data dir, one per process group. */
  procs: TaggedProcess[];
  minAgeMs: number;
  now: number;
}

type Entry = RegistryState['agents'][string] | RegistryState['sessions'][string];

/** One owned kind's traces of one id, and how the orphan reads and is cleaned up. */
interface OwnedKind {
  kind: 'agent' | 'session';
  entry: Entry | undefined;
  /** The owner tag its creating workflow wrote. */
  tagFile: string;
  /** With no registry entry, the age of the first of these that exists is its age. */
  ageFrom: string[];
  branch: string;
  describe(
    repos: string[],
    procs: TaggedProcess[],
  ): Promise<Pick<Orphan, 'kind' | 'resources' | 'cleanups'>>;
}

/** Cleanups of one thing: the activity's args are its id (plus any extra, e.g. the repo). */
const cleanupOf =
  (id: { agentId: string } | { sessionId: string }) =>
  (actionType: string, activity: string, priority: number, extra: object = {}): Cleanup => ({
    actionType,
    activity,
    args: { ...id, ...extra },
    priority,
  });

const stops = (ps: TaggedProcess[]): Cleanup[] =>
  ps.map((p) => ({
    actionType: 'stop_process',
    activity: 'stopOrphanProcess',
    args: { pid: p.pid, owner: p.owner },
    priority: 95,
  }));

/** The orphan `id` of a kind, or null while a live workflow may still own it or it is too young. */
async function scanOwned(scan: OwnedScan, id: string, k: OwnedKind): Promise<Orphan | null> {
  const { entry } = k;
  if (entry?.status === 'active') return null;
  const tag = await readJson<{ workflowId?: string; repo?: string | null }>(k.tagFile).catch(
    () => undefined,
  );
  const owner = entry?.ownerWorkflowId ?? tag?.workflowId ?? null;
  const deleting = [...scan.running].some((w) => w.startsWith(`${k.kind}-delete-${id}-`));
  if ((owner && scan.running.has(owner)) || deleting) return null;
  let age = Infinity;
  if (entry) age = scan.now - Date.parse(entry.createdAt);
  else
    for (const file of k.ageFrom) {
      const a = await ageMs(file, scan.now);
      if (a !== null) {
        age = a;
        break;
      }
    }
  if (age < scan.minAgeMs) return null;
  const repoList = new Set<string>();
  const known = entry?.repo ?? tag?.repo ?? null;
  if (known) repoList.add(known);
  for (const repo of scan.repos) if (await branchExists(repo, k.branch)) repoList.add(repo);
  const { kind, resources, cleanups } = await k.describe(
    [...repoList],
    scan.procs.filter((p) => p.owner === id),
  );
  return {
    kind,
    id,
    ownerWorkflowId: owner,
    reason: owner ? `its workflow ${owner} is not running` : 'no workflow owns it',
    resources,
    cleanups,
  };
}

export function scanAgent(scan: OwnedScan, id: string): Promise<Orphan | null> {
  const entry = scan.reg.agents[id];
  const p = agentPaths(scan.dataDir, id);
  return scanOwned(scan, id, {
    kind: 'agent',
    entry,
    tagFile: p.ownerFile,
    ageFrom: [p.dir, p.worktree],
    branch: p.branch,
    async describe(repos, procs) {
      const resources = [
        ...(entry ? [`registry agent ${id} (${entry.status})`] : []),
        ...(scan.reg.allocations[id] ? [`quota booking ${id}`] : []),
        ...((await ageMs(p.dir, scan.now)) !== null ? [p.dir] : []),
        ...((await ageMs(p.worktree, scan.now)) !== null ? [p.worktree] : []),
        ...repos.map((r) => `${r}: ${p.branch}`),
        ...procs.map((x) => `process ${x.pid}`),
      ];
      const step = cleanupOf({ agentId: id });
      const cleanups: Cleanup[] = [
        step('remove_record', 'removeAgentRecord', 100),
        ...stops(procs),
        step('terminate_process', 'terminateAgentProcess', 95),
        ...repos.map((repo) => step('remove_worktree', 'removeAgentWorktree', 90, { repo })),
        step('release_quota', 'releaseAgentQuota', 80),
        step('remove_state', 'removeAgentState', 70),
        step('remove_session_dir', 'removeAgentScratch', 60),
        step('remove_agent_folder', 'removeAgentFolder', 10),
      ];
      // A process with no other trace is reported as a process (it is stopped like an agent's).
      const kind = resources.every((r) => r.startsWith('process ')) ? 'process' : 'agent';
      return { kind, resources, cleanups };
    },
  });
}

export function scanSession(scan: OwnedScan, id: string): Promise<Orphan | null> {
  const entry = scan.reg.sessions[id];
  const p = sessionPaths(scan.dataDir, id);
  return scanOwned(scan, id, {
    kind: 'session',
    entry,
    tagFile: path.join(p.dir, 'session.json'),
    ageFrom: [p.dir, p.watcherPidFile],
    branch: p.branch,
    async describe(repos, procs) {
      const step = cleanupOf({ sessionId: id });
      return {
        kind: 'session',
        resources: [
          ...(entry ? [`registry session ${id} (${entry.status})`] : []),
          ...((await ageMs(p.dir, scan.now)) !== null ? [p.dir] : []),
          ...repos.map((r) => `${r}: ${p.branch}`),
          ...procs.map((x) => `process ${x.pid}`),
        ],
        cleanups: [
          step('remove_record', 'removeSessionRecord', 100),
          step('remove_session_dir', 'removeSessionDir', 80),
          ...repos.map((repo) => step('git_cleanup', 'detachSessionGit', 70, { repo })),
          ...stops(procs),
          step('monitoring_cleanup', 'stopSessionWatcher', 60),
        ],
      };
    },
  });
}
