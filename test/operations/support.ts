/** The real world an agent operation may leave behind, checked after it. */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Registry } from '../../activities/agents/registry';
import { isAlive } from '../../activities/infra/processes';

export function makeRepo(root: string): string {
  const repo = path.join(root, 'repo');
  mkdirSync(repo, { recursive: true });
  const git = (...args: string[]) => execFileSync('git', ['-C', repo, ...args], { stdio: 'pipe' });
  git('init', '-q', '-b', 'main');
  writeFileSync(path.join(repo, 'README.md'), '# repo\n');
  git('add', '-A');
  git('-c', 'user.email=t@t', '-c', 'user.name=t', 'commit', '-qm', 'init');
  return repo;
}

export function branches(repo: string): string[] {
  return execFileSync('git', ['-C', repo, 'branch', '--format=%(refname:short)'], {
    encoding: 'utf8',
  })
    .split('\n')
    .filter(Boolean);
}

export function worktrees(repo: string): string[] {
  return execFileSync('git', ['-C', repo, 'worktree', 'list', '--porcelain'], { encoding: 'utf8' })
    .split('\n')
    .filter((l) => l.startsWith('worktree '))
    .map((l) => l.slice('worktree '.length));
}

/** Everything agent `agentId` could have left: registry entries, folders, worktree, branch, process. */
export async function leftovers(
  dataDir: string,
  agentId: string,
  repo: string | null,
  pid: number | null,
): Promise<string[]> {
  const out: string[] = [];
  const state = await new Registry(dataDir).read();
  if (state.agents[agentId]) out.push('registry record');
  if (state.allocations[agentId]) out.push('quota booking');
  if (existsSync(path.join(dataDir, 'agents', agentId))) out.push('agent folder');
  if (existsSync(path.join(dataDir, 'worktrees', agentId))) out.push('worktree dir');
  if (repo) {
    if (worktrees(repo).length !== 1) out.push(`worktrees: ${worktrees(repo).join(', ')}`);
    if (branches(repo).some((b) => b.includes(agentId))) out.push('branch');
  }
  if (pid && (await isAlive(pid))) out.push(`process ${pid}`);
  return out;
}
