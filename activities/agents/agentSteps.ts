/**
 * Agent creation's steps and their compensations, as activities. Every step
 * is safe to retry (a retried step finds its own earlier effect) and every
 * compensation is idempotent ("nothing to undo" returns { skipped: true }).
 */
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { activityInfo, ApplicationFailure } from '@temporalio/activity';
import type { QuotaLimits } from './registry';
import { Registry } from './registry';
import { addWorktree, isRepository, removeWorktree } from './git';
import { ownedBy, spawnDetached, stopProcess } from './processes';
import { assertSessionDir, injectFailure, type FailMode } from './safety';

export interface StepFail {
  mode: FailMode;
}

export interface StepInput {
  agentId: string;
  /** Set only on the step the caller asked to fail. */
  fail?: StepFail;
  stepTimeoutMs?: number;
}

export interface NothingToUndo {
  skipped: true;
}
const skipped: NothingToUndo = { skipped: true };

const RUNNER = path.join(__dirname, 'agentRunner.js');

export function createAgentSteps(deps: { dataDir: string }) {
  const registry = new Registry(deps.dataDir);
  const agentDir = (id: string) => path.join(deps.dataDir, 'agents', id);
  const pidFile = (id: string) => path.join(agentDir(id), 'pid');
  const heartbeatFile = (id: string) => path.join(agentDir(id), 'heartbeat.json');
  const scratchDir = (id: string) => path.join(agentDir(id), `.session_${id}`);
  const stateFile = (id: string) => path.join(agentDir(id), 'state.json');
  const worktreeDir = (id: string) => path.join(deps.dataDir, 'worktrees', id);
  const branchOf = (id: string) => `ratchet/agent-${id}`;
  const fail = (input: StepInput, phase: 'before' | 'after') =>
    injectFailure(
      activityInfo().activityType,
      input.fail,
      phase,
      activityInfo().attempt,
      input.stepTimeoutMs ?? 30_000,
    );

  return {
    async reserveAgentRecord(
      input: StepInput & { name: string; repo: string | null },
    ): Promise<void> {
      await fail(input, 'before');
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
        };
      });
      await fail(input, 'after');
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
      await fail(input, 'before');
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
      await fail(input, 'after');
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
      await fail(input, 'before');
      if (!(await isRepository(input.repo))) {
        throw ApplicationFailure.create({
          type: 'NotAGitRepository',
          message: `${input.repo} is not a git repository`,
          nonRetryable: true,
        });
      }
      const worktree = worktreeDir(input.agentId);
      const branch = branchOf(input.agentId);
      mkdirSync(path.dirname(worktree), { recursive: true });
      await addWorktree(input.repo, worktree, branch);
      await registry.update((s) => {
        const a = s.agents[input.agentId];
        if (a) Object.assign(a, { worktree, branch });
      });
      await fail(input, 'after');
      return { worktree, branch };
    },
    async removeAgentWorktree(input: {
      agentId: string;
      repo: string;
    }): Promise<NothingToUndo | void> {
      const removed = await removeWorktree(
        input.repo,
        worktreeDir(input.agentId),
        branchOf(input.agentId),
      );
      rmSync(worktreeDir(input.agentId), { recursive: true, force: true });
      return removed ? undefined : skipped;
    },

    async createAgentScratch(input: StepInput): Promise<{ sessionDir: string }> {
      await fail(input, 'before');
      const dir = scratchDir(input.agentId);
      mkdirSync(path.join(dir, 'tmp'), { recursive: true });
      writeFileSync(path.join(dir, 'tmp', 'scratch.txt'), `scratch space of ${input.agentId}\n`);
      await fail(input, 'after');
      return { sessionDir: dir };
    },
    async removeAgentScratch(input: { agentId: string }): Promise<NothingToUndo | void> {
      const dir = scratchDir(input.agentId);
      assertSessionDir(dir, path.join(deps.dataDir, 'agents'));
      if (!existsSync(dir)) return skipped;
      rmSync(dir, { recursive: true, force: true });
    },

    async persistAgentState(input: StepInput & { name: string }): Promise<{ stateFile: string }> {
      await fail(input, 'before');
      const file = stateFile(input.agentId);
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(
        file,
        JSON.stringify(
          { agentId: input.agentId, name: input.name, savedAt: new Date().toISOString() },
          null,
          2,
        ),
      );
      await fail(input, 'after');
      return { stateFile: file };
    },
    async removeAgentState(input: { agentId: string }): Promise<NothingToUndo | void> {
      const file = stateFile(input.agentId);
      if (!existsSync(file)) return skipped;
      rmSync(file, { force: true });
    },

    async spawnAgentProcess(
      input: StepInput & { command: string | null; cwd: string | null },
    ): Promise<{ pid: number }> {
      await fail(input, 'before');
      const owner = `ratchet-agent-${input.agentId}`;
      if (existsSync(pidFile(input.agentId))) {
        const pid = Number(readFileSync(pidFile(input.agentId), 'utf8'));
        if (ownedBy(pid, input.agentId)) return { pid };
      }
      mkdirSync(agentDir(input.agentId), { recursive: true });
      const log = path.join(agentDir(input.agentId), 'agent.log');
      const pid = input.command
        ? // The user's own command, through a shell because they gave us a shell command; $0 names the agent.
          spawnDetached('sh', ['-c', input.command, owner], {
            cwd: input.cwd ?? agentDir(input.agentId),
            logFile: log,
            owner: input.agentId,
            env: {
              RATCHET_AGENT_ID: input.agentId,
              RATCHET_HEARTBEAT_FILE: heartbeatFile(input.agentId),
            },
          })
        : spawnDetached(process.execPath, [RUNNER, heartbeatFile(input.agentId), input.agentId], {
            cwd: agentDir(input.agentId),
            logFile: log,
            owner: input.agentId,
          });
      writeFileSync(pidFile(input.agentId), String(pid));
      await registry.update((s) => {
        const a = s.agents[input.agentId];
        if (a) a.pid = pid;
      });
      await fail(input, 'after');
      return { pid };
    },
    async terminateAgentProcess(input: {
      agentId: string;
    }): Promise<NothingToUndo | { stopped: string }> {
      const file = pidFile(input.agentId);
      if (!existsSync(file)) return skipped;
      const pid = Number(readFileSync(file, 'utf8'));
      const result = await stopProcess(pid, input.agentId);
      rmSync(file, { force: true });
      return result === 'not_running' ? skipped : { stopped: result };
    },

    async checkAgentHealth(
      input: StepInput & { timeoutMs: number },
    ): Promise<{ pid: number; heartbeatAgeMs: number }> {
      await fail(input, 'before');
      const deadline = Date.now() + input.timeoutMs;
      let why = 'no pid recorded';
      while (Date.now() < deadline) {
        const pid = existsSync(pidFile(input.agentId))
          ? Number(readFileSync(pidFile(input.agentId), 'utf8'))
          : 0;
        if (pid && !ownedBy(pid, input.agentId)) why = `process ${pid} is not running`;
        else if (pid && existsSync(heartbeatFile(input.agentId))) {
          const age = Date.now() - statSync(heartbeatFile(input.agentId)).mtimeMs;
          if (age < 2_000) return { pid, heartbeatAgeMs: Math.round(age) };
          why = `heartbeat is ${Math.round(age)} ms old`;
        } else if (pid) why = 'no heartbeat yet';
        await delay(100);
      }
      throw ApplicationFailure.create({
        type: 'AgentUnhealthy',
        message: `agent ${input.agentId} unhealthy: ${why}`,
        nonRetryable: true,
      });
    },

    async activateAgent(input: { agentId: string }): Promise<void> {
      await registry.update((s) => {
        const a = s.agents[input.agentId];
        if (!a)
          throw ApplicationFailure.create({
            type: 'AgentMissing',
            message: `agent ${input.agentId} vanished`,
            nonRetryable: true,
          });
        Object.assign(a, {
          status: 'active',
          sessionDir: scratchDir(input.agentId),
          stateFile: stateFile(input.agentId),
        });
      });
    },

    /** Removes what is left of an agent's folder once everything in it is gone. */
    async removeAgentFolder(input: { agentId: string }): Promise<NothingToUndo | void> {
      const dir = agentDir(input.agentId);
      if (!existsSync(dir)) return skipped;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
