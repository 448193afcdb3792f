/**
 * The real world after an agent or session operation: what exists, counted,
 * so "exactly once" and "nothing left" are checked, not assumed.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { readRegistry } from '../../activities/agents/registry';
import { groupRepresentatives, ownedProcesses } from '../../activities/infra/processes';

function gitLines(repo: string, args: string[]): string[] {
  return execFileSync('git', ['-C', repo, ...args], { encoding: 'utf8' })
    .split('\n')
    .filter(Boolean);
}

/** Processes tagged with this owner (RATCHET_OWNER), one per process group (a shell's children go with it). */
export async function processesOf(owner: string): Promise<number[]> {
  return groupRepresentatives((await ownedProcesses()).filter((p) => p.owner === owner)).map(
    (p) => p.pid,
  );
}

/** Problems with a completed agent: every resource present exactly once. */
export async function agentWholeProblems(
  dataDir: string,
  agentId: string,
  name: string,
  repo: string | null,
): Promise<string[]> {
  const out: string[] = [];
  const reg = await readRegistry(dataDir);
  const same = Object.values(reg.agents).filter((a) => a.name === name);
  if (same.length !== 1) out.push(`${same.length} registry entries named ${name}`);
  if (reg.agents[agentId]?.status !== 'active') out.push('registry entry not active');
  if (!reg.allocations[agentId]) out.push('no quota booking');
  const procs = await processesOf(agentId);
  if (procs.length !== 1) out.push(`${procs.length} agent processes`);
  const dir = path.join(dataDir, 'agents', agentId);
  for (const f of ['state.json', `.session_${agentId}`, 'pid']) {
    if (!existsSync(path.join(dir, f))) out.push(`missing ${f}`);
  }
  if (repo) {
    const wts = gitLines(repo, ['worktree', 'list', '--porcelain']).filter(
      (l) => l.startsWith('worktree ') && l.includes(agentId),
    );
    if (wts.length !== 1) out.push(`${wts.length} worktrees`);
    const br = gitLines(repo, ['branch', '--format=%(refname:short)']).filter((b) =>
      b.includes(agentId),
    );
    if (br.length !== 1) out.push(`${br.length} branches`);
  }
  return out;
}

/** Everything an agent or session id could leave behind; empty means nothing. */
export async function leftoversOf(
  dataDir: string,
  id: string,
  repo: string | null,
): Promise<string[]> {
  const out: string[] = [];
  const reg = await readRegistry(dataDir);
  if (reg.agents[id] || reg.sessions[id]) out.push('registry entry');
  if (reg.allocations[id]) out.push('quota booking');
  for (const p of [
    path.join(dataDir, 'agents', id),
    path.join(dataDir, 'worktrees', id),
    path.join(dataDir, 'sessions', `.session_${id}`),
    path.join(dataDir, 'session-watchers', `${id}.pid`),
  ]) {
    if (existsSync(p)) out.push(path.relative(dataDir, p));
  }
  const procs = await processesOf(id);
  if (procs.length) out.push(`processes ${procs.join(', ')}`);
  if (repo) {
    if (gitLines(repo, ['worktree', 'list', '--porcelain']).some((l) => l.includes(id)))
      out.push('worktree');
    if (gitLines(repo, ['branch', '--format=%(refname:short)']).some((b) => b.includes(id)))
      out.push('branch');
  }
  return out;
}

/** Problems with a completed session. */
export async function sessionWholeProblems(
  dataDir: string,
  sessionId: string,
  repo: string | null,
): Promise<string[]> {
  const out: string[] = [];
  const reg = await readRegistry(dataDir);
  if (reg.sessions[sessionId]?.status !== 'active') out.push('registry entry not active');
  const procs = await processesOf(sessionId);
  if (procs.length !== 1) out.push(`${procs.length} watcher processes`);
  if (!existsSync(path.join(dataDir, 'sessions', `.session_${sessionId}`)))
    out.push('missing .session_ dir');
  if (
    repo &&
    gitLines(repo, ['branch', '--format=%(refname:short)']).filter((b) => b.includes(sessionId))
      .length !== 1
  )
    out.push('branch not there once');
  return out;
}
