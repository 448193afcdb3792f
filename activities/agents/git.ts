/** Git worktrees and branches for agents and sessions, through the one git wrapper (activities/infra/git). */
import { exists } from './fsx';
import { gitIn } from '../infra/git';

export async function isRepository(repo: string): Promise<boolean> {
  try {
    return (await gitIn(repo, ['rev-parse', '--is-inside-work-tree'])) === 'true';
  } catch {
    return false;
  }
}

export async function branchExists(repo: string, branch: string): Promise<boolean> {
  try {
    await gitIn(repo, ['rev-parse', '--verify', '--quiet', `refs/heads/${branch}`]);
    return true;
  } catch {
    return false;
  }
}

export async function worktreeListed(repo: string, dir: string): Promise<boolean> {
  const list = await gitIn(repo, ['worktree', 'list', '--porcelain']);
  return list.split('\n').some((line) => line === `worktree ${dir}`);
}

/** Creates branch + worktree; if a previous attempt already did, that is the result. */
export async function addWorktree(repo: string, dir: string, branch: string): Promise<void> {
  if ((await exists(dir)) && (await worktreeListed(repo, dir))) return;
  const hasBranch = await branchExists(repo, branch);
  await gitIn(repo, ['worktree', 'add', ...(hasBranch ? [dir, branch] : ['-b', branch, dir])]);
}

/** Removes worktree and branch; each already gone is fine. Returns whether anything was there. */
export async function removeWorktree(repo: string, dir: string, branch: string): Promise<boolean> {
  // No repository (gone, or never one): there is no worktree or branch to undo.
  if (!(await exists(repo)) || !(await isRepository(repo))) return false;
  let removed = false;
  if (await worktreeListed(repo, dir)) {
    await gitIn(repo, ['worktree', 'remove', '--force', dir]);
    removed = true;
  }
  await gitIn(repo, ['worktree', 'prune']);
  if (await branchExists(repo, branch)) {
    await gitIn(repo, ['branch', '-D', branch]);
    removed = true;
  }
  return removed;
}
