/**
 * Snapshots of what an agent or session operation will touch, taken before
 * its first step and again after compensating (domain/operationSnapshot.ts
 * compares them), and the temporary-file cleanup compensation
 * (`add_temporary_file_cleanup` in the seed, priority 60).
 */
import { lstat, realpath, rm } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import path from 'node:path';
import { ApplicationFailure } from '@temporalio/activity';
import type { OperationSnapshot, OperationType, PathState } from '../../domain/operationSnapshot';
import { agentPaths } from './agentSteps';
import { isRepository } from './git';
import { sessionPaths } from './sessionSteps';
import { gitIn as git } from '../infra/git';
import { isAlive } from '../infra/processes';
import { Registry, snapshotOf } from './registry';

/**
 * What a snapshot looks at: the paths the agent and session steps themselves
 * use (agentPaths, sessionPaths), so the two cannot drift apart. The operation
 * tests create real agents and prove a leftover at each path is reported.
 */
export function operationLayout(dataDir: string, type: OperationType, id: string) {
  if (type.startsWith('agent.')) {
    const p = agentPaths(dataDir, id);
    return { files: [p.dir, p.worktree], branch: p.branch };
  }
  const p = sessionPaths(dataDir, id);
  return { files: [p.dir, p.watcherPidFile], branch: p.branch };
}

async function pathState(p: string): Promise<PathState> {
  try {
    const st = await lstat(p);
    return st.isFile() ? 'file' : st.isDirectory() ? 'dir' : 'other';
  } catch {
    return 'absent';
  }
}

async function repoState(repo: string): Promise<{ worktrees: string[]; branches: string[] }> {
  if (!(await isRepository(repo))) return { worktrees: [], branches: [] };
  const list = await git(repo, ['worktree', 'list', '--porcelain']);
  const branches = await git(repo, ['branch', '--format=%(refname:short)']);
  return {
    worktrees: list
      .split('\n')
      .filter((l) => l.startsWith('worktree '))
      .map((l) => l.slice('worktree '.length))
      .sort(),
    branches: branches.split('\n').filter(Boolean).sort(),
  };
}

export interface SnapshotInput {
  operationId: string;
  operationType: OperationType;
  subjectId: string;
  repo: string | null;
  /** More files the operation will touch (its temporary files). */
  files?: string[];
  /** Processes it will touch (a delete's agent or watcher; a creation learns its own later). */
  pids?: number[];
}

export function createDriftActivities(deps: { dataDir: string }) {
  const registry = new Registry(deps.dataDir);
  const take = async (input: SnapshotInput): Promise<OperationSnapshot> => {
    const files: Record<string, PathState> = {};
    const layout = operationLayout(deps.dataDir, input.operationType, input.subjectId);
    for (const f of [...layout.files, ...(input.files ?? [])]) files[f] = await pathState(f);
    const processes: Record<string, boolean> = {};
    for (const pid of input.pids ?? []) if (pid > 0) processes[String(pid)] = await isAlive(pid);
    const worktrees: OperationSnapshot['worktrees'] = {};
    if (input.repo) worktrees[input.repo] = await repoState(input.repo);
    return {
      operationId: input.operationId,
      operationType: input.operationType,
      takenAt: new Date().toISOString(),
      subjectId: input.subjectId,
      subjectBranch: input.repo ? layout.branch : null,
      registry: snapshotOf(await registry.read()),
      files,
      processes,
      worktrees,
    };
  };
  return {
    /** Before the first step: the registry, and the files, processes and worktrees it will touch. */
    snapshotOperation: take,
    /** The same things now (the pids the operation started added), to compare against `before`. */
    async resnapshotOperation(input: {
      before: OperationSnapshot;
      pids: Array<number | null>;
    }): Promise<OperationSnapshot> {
      const { before } = input;
      const repos = Object.keys(before.worktrees);
      const extraFiles = Object.keys(before.files);
      const pids = [
        ...Object.keys(before.processes).map(Number),
        ...input.pids.filter((p): p is number => typeof p === 'number'),
      ];
      return take({
        operationId: before.operationId,
        operationType: before.operationType,
        subjectId: before.subjectId,
        repo: repos[0] ?? null,
        files: extraFiles,
        pids: [...new Set(pids)],
      });
    },
    /**
     * The seed's temporary-file cleanup: removes each path (file or folder).
     * Only under the data dir, the system temp dir or the operation's
     * repository — never a root, the home directory, or through a symlink
     * out of those. Nothing there is a success (`skipped`).
     */
    async removeTemporaryFiles(input: {
      paths: string[];
      repo?: string | null;
    }): Promise<{ skipped: true } | { removed: string[] }> {
      const roots = await Promise.all(
        [deps.dataDir, tmpdir(), ...(input.repo ? [input.repo] : [])].map((r) =>
          realpath(r).catch(() => path.resolve(r)),
        ),
      );
      const removed: string[] = [];
      for (const p of input.paths) {
        if (!path.isAbsolute(p) || path.resolve(p) !== p || p === '/' || p === homedir())
          throw ApplicationFailure.create({
            type: 'UnsafeTemporaryPath',
            message: `refusing to remove ${p}: not a plain absolute path`,
            nonRetryable: true,
          });
        if ((await pathState(p)) === 'absent') continue;
        const real = path.join(await realpath(path.dirname(p)), path.basename(p));
        if (!roots.some((r) => real.startsWith(r + path.sep)))
          throw ApplicationFailure.create({
            type: 'UnsafeTemporaryPath',
            message: `refusing to remove ${p}: outside the data dir, the temp dir and the repository`,
            nonRetryable: true,
          });
        await rm(real, { recursive: true, force: true });
        removed.push(p);
      }
      return removed.length ? { removed } : { skipped: true };
    },
  };
}
