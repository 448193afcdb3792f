/**
 * The service supervisor: one long-running activity per running copy of a
 * module's service.
 *
 *   adopt or stop what an earlier attempt left → start `serve` in its own
 *   process group → heartbeat {pid, restarts, startedAt} every ~½ s →
 *   on death: restart after a backoff (counted; past the budget → fail,
 *   non-retryable, `ServiceCrashLooping`) → on cancellation: stop the group.
 *
 * A SIGKILLed worker loses the heartbeat; Temporal retries the activity on
 * another worker, which adopts the copy still running (same version, same
 * directory, same port) instead of starting a second one. Spawning and
 * stopping go through activities/infra/processes.ts (detached, owner-tagged).
 */
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { DATA_DIR_ENV, isAlive, spawnDetached, stopProcess } from '../infra/processes';
import {
  ensureServicesDir,
  livePid,
  logFile,
  requestStop,
  stopRequested,
  ownerTag,
  readRecord,
  removeRecord,
  stopStrays,
  writeRecord,
  type CopyRecord,
} from './ownership';

export interface SuperviseInput {
  moduleId: string;
  /** Names this copy (e.g. the version it runs); one copy per slot. */
  slot: string;
  version: string;
  /** Where `serve` runs. */
  cwd: string;
  serve: string;
  /** Given to the service as PORT; null when it owns a fixed port. */
  port: number | null;
  /** Deaths restarted before the copy is given up. */
  restartBudget: number;
}

/** What each heartbeat carries (and `serve status` shows). */
export interface SupervisorBeat {
  pid: number | null;
  restarts: number;
  startedAt: string | null;
  version: string;
  port: number | null;
}

/** Backoff before restart k (1-based): 250 ms doubling, at most 5 s. */
export function restartDelayMs(k: number): number {
  return Math.min(250 * 2 ** (k - 1), 5_000);
}

const WATCH_MS = 250;

/**
 * Runs until the copy is stopped (stopCopy), its restart budget is spent
 * (fails: ServiceCrashLooping), or the activity is cancelled.
 */
export async function superviseService(
  dataDir: string,
  input: SuperviseInput,
): Promise<{ stopped: true; restarts: number }> {
  const ctx = Context.current();
  const owner = ownerTag(input.moduleId, input.slot);
  const previous = await readRecord(dataDir, input.moduleId, input.slot);
  const beat = ctx.info.heartbeatDetails as SupervisorBeat | undefined;
  let restarts = beat?.restarts ?? previous?.restarts ?? 0;

  // A copy left by an earlier attempt: adopt it when it runs what we would start, else stop it.
  let pid = await livePid(previous);
  let startedAt = previous?.startedAt ?? null;
  const same =
    previous?.version === input.version &&
    previous.cwd === input.cwd &&
    previous.port === input.port;
  if (pid !== null && !same) {
    await stopProcess(pid, owner);
    pid = null;
  }
  await stopStrays(dataDir, owner, pid);
  if (pid !== null) ctx.log.info(`adopted ${input.moduleId} ${input.slot} (pid ${pid})`);

  const record = (): CopyRecord => ({
    moduleId: input.moduleId,
    slot: input.slot,
    version: input.version,
    cwd: input.cwd,
    port: input.port,
    pid,
    owner,
    startedAt,
    restarts,
  });
  const heartbeat = () =>
    ctx.heartbeat({
      pid,
      restarts,
      startedAt,
      version: input.version,
      port: input.port,
    } satisfies SupervisorBeat);

  let gaveUp = false;
  try {
    for (;;) {
      if (pid === null) {
        await ensureServicesDir(dataDir, input.moduleId); // the log opens before the record is written
        pid = await spawnDetached('sh', ['-c', input.serve], {
          cwd: input.cwd,
          logFile: logFile(dataDir, input.moduleId, input.slot),
          owner,
          env: {
            [DATA_DIR_ENV]: dataDir,
            ...(input.port === null ? {} : { PORT: String(input.port) }),
          },
        });
        startedAt = new Date().toISOString();
        await writeRecord(dataDir, record());
      }
      heartbeat();
      await ctx.sleep(WATCH_MS); // rejects when the activity is cancelled
      if (await stopRequested(dataDir, input.moduleId, input.slot)) {
        await stopProcess(pid, owner);
        await removeRecord(dataDir, input.moduleId, input.slot);
        return { stopped: true, restarts };
      }
      if (await isAlive(pid)) continue;
      restarts++;
      pid = null;
      startedAt = null;
      await writeRecord(dataDir, record());
      ctx.log.warn(
        `${input.moduleId} ${input.slot} died (restart ${restarts}/${input.restartBudget})`,
      );
      if (restarts > input.restartBudget) {
        gaveUp = true;
        // Kept, so whoever watches the copy learns it was given up (and the workflow reverts).
        await writeRecord(dataDir, { ...record(), gaveUp: true });
        throw ApplicationFailure.create({
          type: 'ServiceCrashLooping',
          message: `${input.moduleId} ${input.version} died ${restarts} times (restart budget ${input.restartBudget})`,
          nonRetryable: true,
          details: [{ restarts }],
        });
      }
      heartbeat();
      await ctx.sleep(restartDelayMs(restarts));
    }
  } catch (err) {
    // Cancelled, or gave up: the whole group goes, and so does its record (unless given up).
    if (pid !== null) await stopProcess(pid, owner);
    await stopStrays(dataDir, owner);
    if (!gaveUp) await removeRecord(dataDir, input.moduleId, input.slot);
    throw err;
  }
}

/** Stops a copy by its record (a supervisor whose cancellation never arrived); idempotent. */
export async function stopCopy(
  dataDir: string,
  input: { moduleId: string; slot: string },
): Promise<{ stopped: boolean }> {
  const owner = ownerTag(input.moduleId, input.slot);
  // The supervisor reads the marker within a watch period and does not restart what we stop.
  await requestStop(dataDir, input.moduleId, input.slot);
  const record = await readRecord(dataDir, input.moduleId, input.slot);
  const pid = await livePid(record);
  const stopped = pid !== null && (await stopProcess(pid, owner)) !== 'not_running';
  const strays = await stopStrays(dataDir, owner);
  await removeRecord(dataDir, input.moduleId, input.slot);
  return { stopped: stopped || strays > 0 };
}
