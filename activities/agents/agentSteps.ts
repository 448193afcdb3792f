/**
 * Agent creation's steps and their compensations, as activities. Every step
 * is safe to retry (a retried step finds its own earlier effect) and every
 * compensation is idempotent ("nothing to undo" returns { skipped: true }).
 * Each resource carries its owner: the registry entry and `owner.json` in the
 * agent folder name the creating workflow, processes carry RATCHET_OWNER and
 * RATCHET_DATA_DIR — what `ratchet gc` reads to find what nobody owns.
 */
import { mkdir, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { activityInfo, ApplicationFailure } from '@temporalio/activity';
import type { QuotaLimits } from '../../domain/registry';
import { writeFileAtomic, writeJsonAtomic } from '../infra/atomicFile';
import { DATA_DIR_ENV, ownedBy, spawnDetached, stopProcess } from '../infra/processes';
import { addWorktree, isRepository, removeWorktree } from './git';
import { exists, readPid } from './fsx';
import { Registry } from './registry';
import { assertIdSegment, assertSessionDir } from './safety';

export interface StepInput {
  agentId: string;
}

export interface NothingToUndo {
  skipped: true;
}
const skipped: NothingToUndo = { skipped: true };

const RUNNER = path.join(__dirname, 'agentRunner.js');

/** Where an agent's resources live under the data dir (also what the janitor inspects). */
export function agentPaths(dataDir: string, id: string) {
  assertIdSegment(id);
  const dir = path.join(dataDir, 'agents', id);
  return {
    dir,
    pidFile: path.join(dir, 'pid'),
    ownerFile: path.join(dir, 'owner.json'),
    heartbeatFile: path.join(dir, 'heartbeat.json'),
    scratchDir: path.join(dir, `.session_${id}`),
    stateFile: path.join(dir, 'state.json'),
    logFile: path.join(dir, 'agent.log'),
    worktree: path.join(dataDir, 'worktrees', id),
    branch: `ratchet/agent-${id}`,
  };
}

export function createAgentSteps(deps: { dataDir: string }) {
  const registry = new Registry(deps.dataDir);
  const paths = (id: string) => agentPaths(deps.dataDir, id);

  return {
    async reserveAgentRecord(
      input: StepInput & { name: string; repo: string | null },
    ): Promise<void> {
      const ownerWorkflowId = activityInfo().workflowExecution?.workflowId ?? null;
      // The ownership tag first: a run terminated right after this step is still attributable.
      await writeJsonAtomic(paths(input.agentId).ownerFile, {
        agentId: input.agentId,
        workflowId: ownerWorkflowId,
        repo: input.repo,
      });
      await registry.update((s) => {
        const taken = Object.values(s.agents).find(
          (a) => a.name === input.name && a.id !== input.agentId,
        );
        if (taken) {
          throw ApplicationFailure.create({
            type: 'AgentNameTaken',
            message: `an agent named ${input.name} exists (${taken.id})`,
            nonRetryable: true,
          });
        }
        if (input.repo && !(s.repos ??= []).includes(input.repo)) s.repos.push(input.repo);
        s.agents[input.agentId] ??= {
          id: input.agentId,
          name: input.name,
          status: 'creating',
          createdAt: new Date().toISOString(),
          pid: null,
          worktree: null,
          branch: null,
          repo: input.repo,
          sessionDir: null,
          stateFile: null,
          ownerWorkflowId,
        };
      });
    },
    async removeAgentRecord(input: { agentId: string }): Promise<NothingToUndo | void> {
      return registry.update((s) => {
        if (!s.agents[input.agentId]) return skipped;
        delete s.agents[input.agentId];
      });
    },

    async allocateAgentResources(
      input: StepInput & { memoryMb: number; limits: QuotaLimits },
    ): Promise<void> {
      await registry.update((s) => {
        if (s.allocations[input.agentId]) return;
        const booked = Object.values(s.allocations);
        const memory = booked.reduce((a, b) => a + b.memoryMb, 0);
        if (
          booked.length + 1 > input.limits.maxAgents ||
          memory + input.memoryMb > input.limits.memoryBudgetMb
        ) {
          throw ApplicationFailure.create({
            type: 'QuotaExceeded',
            message: `quota exceeded: ${booked.length}/${input.limits.maxAgents} agents, ${memory}+${input.memoryMb}/${input.limits.memoryBudgetMb} MB`,
            nonRetryable: true,
          });
        }
        s.allocations[input.agentId] = { agentId: input.agentId, memoryMb: input.memoryMb };
      });
    },
    async releaseAgentQuota(input: { agentId: string }): Promise<NothingToUndo | void> {
      return registry.update((s) => {
        if (!s.allocations[input.agentId]) return skipped;
        delete s.allocations[input.agentId];
      });
    },

    async createAgentWorktree(
      input: StepInput & { repo: string },
    ): Promise<{ worktree: string; branch: string }> {
      if (!(await isRepository(input.repo))) {
        throw ApplicationFailure.create({
          type: 'NotAGitRepository',
          message: `${input.repo} is not a git repository`,
          nonRetryable: true,
        });
      }
      const { worktree, branch } = paths(input.agentId);
      await mkdir(path.dirname(worktree), { recursive: true });
      await addWorktree(input.repo, worktree, branch);
      await registry.update((s) => {
        const a = s.agents[input.agentId];
        if (a) Object.assign(a, { worktree, branch });
      });
      return { worktree, branch };
    },
    async removeAgentWorktree(input: {
      agentId: string;
      repo: string;
    }): Promise<NothingToUndo | void> {
      const { worktree, branch } = paths(input.agentId);
      const removed = await removeWorktree(input.repo, worktree, branch);
      await rm(worktree, { recursive: true, force: true });
      return removed ? undefined : skipped;
    },

    async createAgentScratch(input: StepInput): Promise<{ sessionDir: string }> {
      const dir = paths(input.agentId).scratchDir;
      await mkdir(path.join(dir, 'tmp'), { recursive: true });
      await writeFile(path.join(dir, 'tmp', 'scratch.txt'), `scratch space of ${input.agentId}\n`);
      return { sessionDir: dir };
    },
    async removeAgentScratch(input: { agentId: string }): Promise<NothingToUndo | void> {
      const dir = paths(input.agentId).scratchDir;
      assertSessionDir(dir, path.join(deps.dataDir, 'agents'));
      if (!(await exists(dir))) return skipped;
      await rm(dir, { recursive: true, force: true });
    },

    async persistAgentState(input: StepInput & { name: string }): Promise<{ stateFile: string }> {
      const file = paths(input.agentId).stateFile;
      await writeJsonAtomic(file, {
        agentId: input.agentId,
        name: input.name,
        savedAt: new Date().toISOString(),
      });
      return { stateFile: file };
    },
    async removeAgentState(input: { agentId: string }): Promise<NothingToUndo | void> {
      const file = paths(input.agentId).stateFile;
      if (!(await exists(file))) return skipped;
      await rm(file, { force: true });
    },

    async spawnAgentProcess(
      input: StepInput & { command: string | null; cwd: string | null },
    ): Promise<{ pid: number }> {
      const p = paths(input.agentId);
      const owner = `ratchet-agent-${input.agentId}`;
      const earlier = await readPid(p.pidFile);
      if (earlier && (await ownedBy(earlier, input.agentId))) return { pid: earlier };
      await mkdir(p.dir, { recursive: true });
      const tags = { [DATA_DIR_ENV]: deps.dataDir };
      const pid = input.command
        ? // The user's own command, through a shell because they gave us a shell command; $0 names the agent.
          await spawnDetached('sh', ['-c', input.command, owner], {
            cwd: input.cwd ?? p.dir,
            logFile: p.logFile,
            owner: input.agentId,
            env: {
              ...tags,
              RATCHET_AGENT_ID: input.agentId,
              RATCHET_HEARTBEAT_FILE: p.heartbeatFile,
            },
          })
        : await spawnDetached(process.execPath, [RUNNER, p.heartbeatFile, input.agentId], {
            cwd: p.dir,
            logFile: p.logFile,
            owner: input.agentId,
            env: tags,
          });
      await writeFileAtomic(p.pidFile, String(pid));
      await registry.update((s) => {
        const a = s.agents[input.agentId];
        if (a) a.pid = pid;
      });
      return { pid };
    },
    async terminateAgentProcess(input: {
      agentId: string;
    }): Promise<NothingToUndo | { stopped: string }> {
      const file = paths(input.agentId).pidFile;
      if (!(await exists(file))) return skipped;
      const result = await stopProcess(await readPid(file), input.agentId);
      await rm(file, { force: true });
      return result === 'not_running' ? skipped : { stopped: result };
    },

    async checkAgentHealth(
      input: StepInput & { timeoutMs: number },
    ): Promise<{ pid: number; heartbeatAgeMs: number }> {
      const p = paths(input.agentId);
      const deadline = Date.now() + input.timeoutMs;
      let why = 'no pid recorded';
      while (Date.now() < deadline) {
        const pid = await readPid(p.pidFile);
        if (pid && !(await ownedBy(pid, input.agentId))) why = `process ${pid} is not running`;
        else if (pid) {
          const beat = await stat(p.heartbeatFile).catch(() => null);
          if (beat) {
            const age = Date.now() - beat.mtimeMs;
            if (age < 2_000) return { pid, heartbeatAgeMs: Math.round(age) };
            why = `heartbeat is ${Math.round(age)} ms old`;
          } else why = 'no heartbeat yet';
        }
        await delay(100);
      }
      throw ApplicationFailure.create({
        type: 'AgentUnhealthy',
        message: `agent ${input.agentId} unhealthy: ${why}`,
        nonRetryable: true,
      });
    },

    async activateAgent(input: { agentId: string }): Promise<void> {
      const p = paths(input.agentId);
      await registry.update((s) => {
        const a = s.agents[input.agentId];
        if (!a)
          throw ApplicationFailure.create({
            type: 'AgentMissing',
            message: `agent ${input.agentId} vanished`,
            nonRetryable: true,
          });
        Object.assign(a, { status: 'active', sessionDir: p.scratchDir, stateFile: p.stateFile });
      });
    },

    /** Removes what is left of an agent's folder once everything in it is gone. */
    async removeAgentFolder(input: { agentId: string }): Promise<NothingToUndo | void> {
      const dir = paths(input.agentId).dir;
      if (!(await exists(dir))) return skipped;
      await rm(dir, { recursive: true, force: true });
    },
  };
}
