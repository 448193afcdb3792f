/**
 * The janitor's scan of agents and sessions on a real data dir and a real git
 * repository (no processes): what a live or deleting workflow owns, what is
 * active and what is too young is kept; everything else is reported with each
 * trace it left and the cleanups for it, in order.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { scanOrphans } from '../../activities/janitor/scan';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const HOUR = 3_600_000;
const CREATED = new Date(Date.now() - 2 * HOUR).toISOString();

function world() {
  const root = mkdtempSync(path.join(tmpdir(), 'ratchet-janitor-scan-'));
  dirs.push(root);
  const dataDir = path.join(root, 'data');
  const repo = path.join(root, 'repo');
  mkdirSync(repo);
  const git = (...args: string[]) =>
    execFileSync('git', ['-C', repo, '-c', 'user.email=t@t', '-c', 'user.name=t', ...args]);
  git('init', '-q');
  git('commit', '-q', '--allow-empty', '-m', 'init');
  // b9: only a branch is left (a crash between the worktree's removal and the branch's).
  for (const b of [
    'ratchet/agent-a1',
    'ratchet/agent-b9',
    'ratchet/session-s1',
    'ratchet/session-s3',
  ])
    git('branch', b);
  const old = (file: string) =>
    utimesSync(file, new Date(Date.now() - HOUR), new Date(Date.now() - HOUR));
  const file = (rel: string, body: object | string) => {
    const f = path.join(dataDir, rel);
    mkdirSync(path.dirname(f), { recursive: true });
    writeFileSync(f, typeof body === 'string' ? body : JSON.stringify(body));
    old(f);
    old(path.dirname(f));
  };
  const agent = (id: string, extra: object = {}) => ({
    id,
    name: id,
    status: 'creating',
    createdAt: CREATED,
    pid: null,
    worktree: null,
    branch: null,
    repo: null,
    sessionDir: null,
    stateFile: null,
    ...extra,
  });
  const session = (id: string, extra: object = {}) => ({
    id,
    name: id,
    status: 'creating',
    createdAt: CREATED,
    dir: null,
    repo: null,
    branch: null,
    watcherPid: null,
    ...extra,
  });
  file('registry/registry.json', {
    agents: {
      a1: agent('a1', { ownerWorkflowId: 'agent-create-a1-gone', repo }),
      a7: agent('a7', { status: 'active' }),
    },
    sessions: {
      s1: session('s1', { ownerWorkflowId: 'session-create-s1-live' }),
      s2: session('s2', { ownerWorkflowId: 'session-create-s2-gone' }),
      s7: session('s7', { status: 'active' }),
    },
    allocations: { a1: { agentId: 'a1', memoryMb: 10 }, a8: { agentId: 'a8', memoryMb: 10 } },
    repos: [repo],
  });
  file('agents/a1/owner.json', { workflowId: 'other' });
  file('agents/a3/owner.json', { workflowId: 'agent-create-a3-gone' });
  file('agents/a6/owner.json', { workflowId: 'agent-create-a6-gone' });
  file('worktrees/a4/README', 'x');
  file('sessions/.session_s3/session.json', { workflowId: 'session-create-s3-gone', repo });
  file('session-watchers/s4.pid', '123');
  // Young: its creator may not be visible yet.
  mkdirSync(path.join(dataDir, 'agents', 'a5'), { recursive: true });
  mkdirSync(path.join(dataDir, 'sessions', '.session_s5'), { recursive: true });
  return { dataDir, repo };
}

it('keeps what is owned, active, deleting or young; reports the rest with its traces and cleanups', async () => {
  const w = world();
  const orphans = await scanOrphans({
    dataDir: w.dataDir,
    running: new Set(['session-create-s1-live', 'agent-delete-a6-xyz']),
    minAgeMs: HOUR / 2,
  });
  const rel = (s: string) => s.replace(w.dataDir, 'D').replace(w.repo, 'R');
  const agentSteps = (id: string, repo = false) => [
    `removeAgentRecord:100:{"agentId":"${id}"}`,
    `terminateAgentProcess:95:{"agentId":"${id}"}`,
    ...(repo ? [`removeAgentWorktree:90:{"agentId":"${id}","repo":"R"}`] : []),
    `releaseAgentQuota:80:{"agentId":"${id}"}`,
    `removeAgentState:70:{"agentId":"${id}"}`,
    `removeAgentScratch:60:{"agentId":"${id}"}`,
    `removeAgentFolder:10:{"agentId":"${id}"}`,
  ];
  const sessionSteps = (id: string, repo = false) => [
    `removeSessionRecord:100:{"sessionId":"${id}"}`,
    `removeSessionDir:80:{"sessionId":"${id}"}`,
    ...(repo ? [`detachSessionGit:70:{"sessionId":"${id}","repo":"R"}`] : []),
    `stopSessionWatcher:60:{"sessionId":"${id}"}`,
  ];
  expect(
    orphans.map((o) => ({
      what: `${o.kind} ${o.id}`,
      owner: o.ownerWorkflowId,
      reason: o.reason,
      resources: o.resources.map(rel),
      cleanups: o.cleanups.map((c) => `${c.activity}:${c.priority}:${rel(JSON.stringify(c.args))}`),
    })),
  ).toEqual([
    {
      // The registry's owner tag wins over the folder's.
      what: 'agent a1',
      owner: 'agent-create-a1-gone',
      reason: 'its workflow agent-create-a1-gone is not running',
      resources: [
        'registry agent a1 (creating)',
        'quota booking a1',
        'D/agents/a1',
        'R: ratchet/agent-a1',
      ],
      cleanups: agentSteps('a1', true),
    },
    {
      what: 'agent a8',
      owner: null,
      reason: 'no workflow owns it',
      resources: ['quota booking a8'],
      cleanups: agentSteps('a8'),
    },
    {
      what: 'agent a3',
      owner: 'agent-create-a3-gone',
      reason: 'its workflow agent-create-a3-gone is not running',
      resources: ['D/agents/a3'],
      cleanups: agentSteps('a3'),
    },
    {
      what: 'agent a4',
      owner: null,
      reason: 'no workflow owns it',
      resources: ['D/worktrees/a4'],
      cleanups: agentSteps('a4'),
    },
    {
      // Found by its branch alone (the ref pattern needs its glob).
      what: 'agent b9',
      owner: null,
      reason: 'no workflow owns it',
      resources: ['R: ratchet/agent-b9'],
      cleanups: agentSteps('b9', true),
    },
    {
      what: 'session s2',
      owner: 'session-create-s2-gone',
      reason: 'its workflow session-create-s2-gone is not running',
      resources: ['registry session s2 (creating)'],
      cleanups: sessionSteps('s2'),
    },
    {
      // The repo comes from the session's own tag.
      what: 'session s3',
      owner: 'session-create-s3-gone',
      reason: 'its workflow session-create-s3-gone is not running',
      resources: ['D/sessions/.session_s3', 'R: ratchet/session-s3'],
      cleanups: sessionSteps('s3', true),
    },
    {
      // Only a watcher pid file is left: its age stands in for the session's.
      what: 'session s4',
      owner: null,
      reason: 'no workflow owns it',
      resources: [],
      cleanups: sessionSteps('s4'),
    },
  ]);
});
