/** Git worktrees and branches for agents and sessions: execFile, never a shell. */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';

const run = promisify(execFile);

export async function git(repo: string, args: string[]): Promise<string> {
  const { stdout } = await run('git', ['-C', repo, ...args], {
    env: { ...process.env, GIT_TERMINAL_PROMPT: '0' },
  });
  return stdout.trim();
}

export async function isRepository(repo: string): Promise<boolean> {
  try {
    return (await git(repo, ['rev-parse', '--is-inside-work-tree'])) === 'true';
  } catch {
    return false;
  }
}

export async function branchExists(repo: string, branch: string): Promise<boolean> {
  try {
    await git(repo, ['rev-parse', '--verify', '--quiet', `refs/heads/${branch}`]);
    return true;
  } catch {
    return false;
  }
}

export async function worktreeListed(repo: string, dir: string): Promise<boolean> {
  const list = await git(repo, ['worktree', 'list', '--porcelain']);
  return list.split('\n').some((line) => line === `worktree ${dir}`);
}

/** Creates branch + worktree; if a previous attempt already did, that is the result. */
export async function addWorktree(repo: string, dir: string, branch: string): Promise<void> {
  if (existsSync(dir) && (await worktreeListed(repo, dir))) return;
  const hasBranch = await branchExists(repo, branch);
  await git(repo, ['worktree', 'add', ...(hasBranch ? [dir, branch] : ['-b', branch, dir])]);
}

/** Removes worktree and branch; each already gone is fine. Returns whether anything was there. */
export async function removeWorktree(repo: string, dir: string, branch: string): Promise<boolean> {
  // No repository (gone, or never one): there is no worktree or branch to undo.
  if (!existsSync(repo) || !(await isRepository(repo))) return false;
  let removed = false;
  if (await worktreeListed(repo, dir)) {
    await git(repo, ['worktree', 'remove', '--force', dir]);
    removed = true;
  }
  await git(repo, ['worktree', 'prune']);
  if (await branchExists(repo, branch)) {
    await git(repo, ['branch', '-D', branch]);
    removed = true;
  }
  return removed;
}
