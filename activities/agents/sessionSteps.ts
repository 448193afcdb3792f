/** Session creation's steps and compensations: record, `.session_*` directory, git branch, file watcher. */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { activityInfo, ApplicationFailure } from '@temporalio/activity';
import { branchExists, git, isRepository } from './git';
import { ownedBy, spawnDetached, stopProcess } from './processes';
import { Registry } from './registry';
import { assertSessionDir, injectFailure, type FailMode } from './safety';
import type { NothingToUndo } from './agentSteps';

export interface StepInput {
  sessionId: string;
  fail?: { mode: FailMode };
  stepTimeoutMs?: number;
}

const skipped: NothingToUndo = { skipped: true };
const WATCHER = path.join(__dirname, 'sessionWatcher.js');

export function createSessionSteps(deps: { dataDir: string }) {
  const registry = new Registry(deps.dataDir);
  const sessionsRoot = path.join(deps.dataDir, 'sessions');
  const sessionDir = (id: string) => path.join(sessionsRoot, `.session_${id}`);
  const watcherPidFile = (id: string) => path.join(deps.dataDir, 'session-watchers', `${id}.pid`);
  const branchOf = (id: string) => `ratchet/session-${id}`;
  const fail = (input: StepInput, phase: 'before' | 'after') =>
    injectFailure(
      activityInfo().activityType,
      input.fail,
      phase,
      activityInfo().attempt,
      input.stepTimeoutMs ?? 30_000,
    );

  return {
    async reserveSessionRecord(
      input: StepInput & { name: string; repo: string | null },
    ): Promise<void> {
      await fail(input, 'before');
      await registry.update((s) => {
        s.sessions[input.sessionId] ??= {
          id: input.sessionId,
          name: input.name,
          status: 'creating',
          createdAt: new Date().toISOString(),
          dir: null,
          repo: input.repo,
          branch: null,
          watcherPid: null,
        };
      });
      await fail(input, 'after');
    },
    async removeSessionRecord(input: { sessionId: string }): Promise<NothingToUndo | void> {
      return registry.update((s) => {
        if (!s.sessions[input.sessionId]) return skipped;
        delete s.sessions[input.sessionId];
      });
    },

    async createSessionDir(input: StepInput): Promise<{ dir: string }> {
      await fail(input, 'before');
      const dir = sessionDir(input.sessionId);
      mkdirSync(path.join(dir, 'tmp'), { recursive: true });
      writeFileSync(path.join(dir, 'session.json'), JSON.stringify({ sessionId: input.sessionId }));
      await registry.update((s) => {
        const e = s.sessions[input.sessionId];
        if (e) e.dir = dir;
      });
      await fail(input, 'after');
      return { dir };
    },
    /** Refuses anything not named .session_* or outside the sessions root. */
    async removeSessionDir(input: {
      sessionId: string;
      dir?: string;
    }): Promise<NothingToUndo | void> {
      const dir = input.dir ?? sessionDir(input.sessionId);
      assertSessionDir(dir, sessionsRoot);
      if (!existsSync(dir)) return skipped;
      rmSync(dir, { recursive: true, force: true });
    },

    async attachSessionGit(input: StepInput & { repo: string }): Promise<{ branch: string }> {
      await fail(input, 'before');
      if (!(await isRepository(input.repo))) {
        throw ApplicationFailure.create({
          type: 'NotAGitRepository',
          message: `${input.repo} is not a git repository`,
          nonRetryable: true,
        });
      }
      const branch = branchOf(input.sessionId);
      if (!(await branchExists(input.repo, branch))) await git(input.repo, ['branch', branch]);
      await registry.update((s) => {
        const e = s.sessions[input.sessionId];
        if (e) e.branch = branch;
      });
      await fail(input, 'after');
      return { branch };
    },
    async detachSessionGit(input: {
      sessionId: string;
      repo: string;
    }): Promise<NothingToUndo | void> {
      const branch = branchOf(input.sessionId);
      if (!existsSync(input.repo) || !(await branchExists(input.repo, branch))) return skipped;
      await git(input.repo, ['branch', '-D', branch]);
    },

    async startSessionWatcher(input: StepInput): Promise<{ watcherPid: number }> {
      await fail(input, 'before');
      const file = watcherPidFile(input.sessionId);
      if (existsSync(file)) {
        const pid = Number(readFileSync(file, 'utf8'));
        if (ownedBy(pid, input.sessionId)) return { watcherPid: pid };
      }
      mkdirSync(path.dirname(file), { recursive: true });
      const dir = sessionDir(input.sessionId);
      const pid = spawnDetached(process.execPath, [WATCHER, dir, input.sessionId], {
        cwd: dir,
        logFile: path.join(path.dirname(file), `${input.sessionId}.log`),
        owner: input.sessionId,
      });
      writeFileSync(file, String(pid));
      await registry.update((s) => {
        const e = s.sessions[input.sessionId];
        if (e) e.watcherPid = pid;
      });
      // The step is done when changes are being watched, not when the process merely exists.
      const log = path.join(dir, '.watch.log');
      const deadline = Date.now() + 15_000;
      while (!(existsSync(log) && readFileSync(log, 'utf8').includes(' ready '))) {
        if (Date.now() > deadline || !ownedBy(pid, input.sessionId)) {
          throw ApplicationFailure.create({
            type: 'WatcherNotReady',
            message: `file watcher ${pid} did not start watching ${dir}`,
          });
        }
        await delay(50);
      }
      await fail(input, 'after');
      return { watcherPid: pid };
    },
    async stopSessionWatcher(input: {
      sessionId: string;
    }): Promise<NothingToUndo | { stopped: string }> {
      const file = watcherPidFile(input.sessionId);
      if (!existsSync(file)) return skipped;
      const result = await stopProcess(Number(readFileSync(file, 'utf8')), input.sessionId);
      rmSync(file, { force: true });
      rmSync(path.join(path.dirname(file), `${input.sessionId}.log`), { force: true });
      return result === 'not_running' ? skipped : { stopped: result };
    },

    async activateSession(input: { sessionId: string }): Promise<void> {
      await registry.update((s) => {
        const e = s.sessions[input.sessionId];
        if (!e)
          throw ApplicationFailure.create({
            type: 'SessionMissing',
            message: `session ${input.sessionId} vanished`,
            nonRetryable: true,
          });
        e.status = 'active';
      });
    },
  };
}
