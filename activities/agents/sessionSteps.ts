/**
 * Session creation's steps and compensations: record, `.session_*` directory,
 * git branch, file watcher. The registry entry and the directory's
 * session.json name the creating workflow (the janitor's ownership tag).
 */
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { activityInfo, ApplicationFailure } from '@temporalio/activity';
import { writeFileAtomic } from '../infra/atomicFile';
import { gitIn } from '../infra/git';
import { DATA_DIR_ENV, ownedBy, spawnDetached, stopProcess } from '../infra/processes';
import { branchExists, isRepository } from './git';
import { exists, readPid } from './fsx';
import { Registry } from './registry';
import { assertIdSegment, assertSessionDir } from './safety';
import type { NothingToUndo } from './agentSteps';

export interface StepInput {
  sessionId: string;
}

const skipped: NothingToUndo = { skipped: true };
const WATCHER = path.join(__dirname, 'sessionWatcher.js');

/** Where a session's resources live under the data dir (also what the janitor inspects). */
export function sessionPaths(dataDir: string, id: string) {
  assertIdSegment(id);
  const root = path.join(dataDir, 'sessions');
  const watchers = path.join(dataDir, 'session-watchers');
  return {
    root,
    dir: path.join(root, `.session_${id}`),
    watcherPidFile: path.join(watchers, `${id}.pid`),
    watcherLog: path.join(watchers, `${id}.log`),
    branch: `ratchet/session-${id}`,
  };
}

export function createSessionSteps(deps: { dataDir: string }) {
  const registry = new Registry(deps.dataDir);
  const paths = (id: string) => sessionPaths(deps.dataDir, id);

  return {
    async reserveSessionRecord(
      input: StepInput & { name: string; repo: string | null },
    ): Promise<void> {
      const ownerWorkflowId = activityInfo().workflowExecution?.workflowId ?? null;
      await registry.update((s) => {
        if (input.repo && !(s.repos ??= []).includes(input.repo)) s.repos.push(input.repo);
        s.sessions[input.sessionId] ??= {
          id: input.sessionId,
          name: input.name,
          status: 'creating',
          createdAt: new Date().toISOString(),
          dir: null,
          repo: input.repo,
          branch: null,
          watcherPid: null,
          ownerWorkflowId,
        };
      });
    },
    async removeSessionRecord(input: { sessionId: string }): Promise<NothingToUndo | void> {
      return registry.update((s) => {
        if (!s.sessions[input.sessionId]) return skipped;
        delete s.sessions[input.sessionId];
      });
    },

    async createSessionDir(input: StepInput): Promise<{ dir: string }> {
      const dir = paths(input.sessionId).dir;
      await mkdir(path.join(dir, 'tmp'), { recursive: true });
      const entry = (await registry.read()).sessions[input.sessionId];
      await writeFile(
        path.join(dir, 'session.json'),
        JSON.stringify({
          sessionId: input.sessionId,
          workflowId: activityInfo().workflowExecution?.workflowId ?? null,
          repo: entry?.repo ?? null,
        }),
      );
      await registry.update((s) => {
        const e = s.sessions[input.sessionId];
        if (e) e.dir = dir;
      });
      return { dir };
    },
    /** Refuses anything not named .session_* or outside the sessions root. */
    async removeSessionDir(input: {
      sessionId: string;
      dir?: string;
    }): Promise<NothingToUndo | void> {
      const p = paths(input.sessionId);
      const dir = input.dir ?? p.dir;
      assertSessionDir(dir, p.root);
      if (!(await exists(dir))) return skipped;
      await rm(dir, { recursive: true, force: true });
    },

    async attachSessionGit(input: StepInput & { repo: string }): Promise<{ branch: string }> {
      if (!(await isRepository(input.repo))) {
        throw ApplicationFailure.create({
          type: 'NotAGitRepository',
          message: `${input.repo} is not a git repository`,
          nonRetryable: true,
        });
      }
      const branch = paths(input.sessionId).branch;
      if (!(await branchExists(input.repo, branch))) await gitIn(input.repo, ['branch', branch]);
      await registry.update((s) => {
        const e = s.sessions[input.sessionId];
        if (e) e.branch = branch;
      });
      return { branch };
    },
    async detachSessionGit(input: {
      sessionId: string;
      repo: string;
    }): Promise<NothingToUndo | void> {
      const branch = paths(input.sessionId).branch;
      if (!(await exists(input.repo)) || !(await branchExists(input.repo, branch))) return skipped;
      await gitIn(input.repo, ['branch', '-D', branch]);
    },

    async startSessionWatcher(input: StepInput): Promise<{ watcherPid: number }> {
      const p = paths(input.sessionId);
      const earlier = await readPid(p.watcherPidFile);
      if (earlier && (await ownedBy(earlier, input.sessionId))) return { watcherPid: earlier };
      await mkdir(path.dirname(p.watcherPidFile), { recursive: true });
      const pid = await spawnDetached(process.execPath, [WATCHER, p.dir, input.sessionId], {
        cwd: p.dir,
        logFile: p.watcherLog,
        owner: input.sessionId,
        env: { [DATA_DIR_ENV]: deps.dataDir },
      });
      await writeFileAtomic(p.watcherPidFile, String(pid));
      await registry.update((s) => {
        const e = s.sessions[input.sessionId];
        if (e) e.watcherPid = pid;
      });
      // The step is done when changes are being watched, not when the process merely exists.
      const log = path.join(p.dir, '.watch.log');
      const deadline = Date.now() + 15_000;
      while (!(await readFile(log, 'utf8').catch(() => '')).includes(' ready ')) {
        if (Date.now() > deadline || !(await ownedBy(pid, input.sessionId))) {
          throw ApplicationFailure.create({
            type: 'WatcherNotReady',
            message: `file watcher ${pid} did not start watching ${p.dir}`,
          });
        }
        await delay(50);
      }
      return { watcherPid: pid };
    },
    async stopSessionWatcher(input: {
      sessionId: string;
    }): Promise<NothingToUndo | { stopped: string }> {
      const p = paths(input.sessionId);
      if (!(await exists(p.watcherPidFile))) return skipped;
      const result = await stopProcess(await readPid(p.watcherPidFile), input.sessionId);
      await rm(p.watcherPidFile, { force: true });
      await rm(p.watcherLog, { force: true });
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
