/**
 * `ratchet serve MODULE`: a module's service under ratchet, without a cycle
 * (workflow `serve-<module>`).
 *
 *   start   the active version (materialised from the store), or the
 *           workspace when the module has no version yet
 *   watch   probe every max(healthIntervalSec, 5 s); the supervisor restarts
 *           a copy that dies (counted) — `serve status` shows it all
 *   swap    update `swap {version}`: the hot swap (hotSwap.ts) as a child;
 *           a failed health window reverts the version (HEALTH_FAILURE) and
 *           the workspace goes back with it (revert.ts)
 *   follow  signal `follow {version}` (a manual rollback): swap, no revert
 *   stop    update `stop`: the copy is stopped, the workflow ends
 */
import {
  ApplicationFailure,
  condition,
  continueAsNew,
  defineQuery,
  defineSignal,
  defineUpdate,
  executeChild,
  setHandler,
  workflowInfo,
  allHandlersFinished,
} from '@temporalio/workflow';
import type { CopyProbe } from '../../activities/services';
import {
  probeFor,
  serviceOf,
  ServiceSettingsError,
  type ServiceFields,
  type ServiceSettings,
} from '../../domain/services/settings';
import { activeVersion } from '../../domain/lineage';
import { lineage, releases, services } from './activities';
import { startCopy, stopCopy, type CopyRef } from './copy';
import { newSlot, serviceSwap, type SwapEvent, type SwapResult } from './hotSwap';
import { revertVersion, type RevertEvent } from './revert';

export interface ServeInput {
  moduleId: string;
  workspace: string;
  service: ServiceFields;
  smokeCommand?: string;
  /** Carried over continue-as-new. */
  carried?: { serving: CopyRef | null; history: ServeHistory };
}

export interface ServeHistory {
  swaps: { version: string; outcome: SwapResult['outcome']; reason: string | null; at: string }[];
  events: (SwapEvent | RevertEvent)[];
}

/** Where the service stands: `down` is a copy given up with no version to go back to. */
export type ServeState = 'starting' | 'serving' | 'down' | 'stopping' | 'stopped';

export interface ServeStatus {
  moduleId: string;
  /** The version serving; once stopped, the last one served. */
  version: string | null;
  state: ServeState;
  /** ISO-8601 (workflow time): when `serve stop` stopped it, else null. */
  stoppedAt: string | null;
  copyWorkflowId: string | null;
  port: number | null;
  cwd: string | null;
  pid: number | null;
  startedAt: string | null;
  restarts: number;
  lastProbes: CopyProbe[];
  swapping: string | null;
  swaps: ServeHistory['swaps'];
  events: ServeHistory['events'];
}

export const serveStatusQuery = defineQuery<ServeStatus>('serveStatus');
export const swapUpdate = defineUpdate<SwapResult, [{ version: string }]>('swap');
export const stopServeUpdate = defineUpdate<{ stopped: string | null }>('stop');
export const followSignal = defineSignal<[{ version: string }]>('follow');

const KEPT_PROBES = 5;
const KEPT_EVENTS = 50;

export function serveWorkflowId(moduleId: string): string {
  return `serve-${moduleId}`;
}

function settingsOrFail(fields: ServiceFields): ServiceSettings {
  try {
    const s = serviceOf(fields);
    if (!s) throw new ServiceSettingsError('serve', 'the module has no serve command');
    return s;
  } catch (err) {
    throw ApplicationFailure.create({
      type: 'InvalidServiceSettings',
      message: (err as Error).message,
      nonRetryable: true,
    });
  }
}

export async function serveModule(input: ServeInput): Promise<{ stopped: string | null }> {
  const { moduleId } = input;
  const service = settingsOrFail(input.service);
  const history: ServeHistory = input.carried?.history ?? { swaps: [], events: [] };
  let serving: CopyRef | null = input.carried?.serving ?? null;
  let lastProbes: CopyProbe[] = [];
  let swapping: string | null = null;
  let stopping = false;
  // Kept for `serve status` after the copy is gone: what was served last, and when it stopped.
  let lastServed: string | null = serving?.version ?? null;
  let stoppedAt: string | null = null;
  // Swaps and stops wait until the first copy is up: a swap needs the copy it replaces.
  let ready = serving !== null;
  const follows: string[] = [];

  const keep = (events: (SwapEvent | RevertEvent)[]) => {
    history.events.push(...events);
    history.events.splice(0, Math.max(0, history.events.length - KEPT_EVENTS));
  };

  async function swapTo(version: string, revertOnFailure: boolean): Promise<SwapResult> {
    swapping = version;
    try {
      const result = await executeChild(serviceSwap, {
        workflowId: `swap-${moduleId}-${version}-${workflowInfo().runId.slice(0, 8)}-${history.swaps.length + 1}`,
        args: [{ moduleId, service, from: serving, toVersion: version }],
      });
      lastServed = serving?.version ?? lastServed;
      serving = result.serving;
      keep(result.events);
      history.swaps.push({
        version,
        outcome: result.outcome,
        reason: result.reason,
        at: new Date().toISOString(),
      });
      if (result.outcome === 'committed') {
        await lineage.setVersionStatus({ moduleId, version, status: 'active' });
      } else if (revertOnFailure) {
        const reverted = await revertVersion({
          moduleId,
          workspace: input.workspace,
          version,
          ...(serving ? { to: serving.version } : {}),
          reason: 'HEALTH_FAILURE',
          detail: result.reason ?? 'swap failed',
          ...(input.smokeCommand ? { smokeCommand: input.smokeCommand } : {}),
        });
        keep(reverted.events);
      }
      return result;
    } finally {
      swapping = null;
    }
  }

  /**
   * After the health window the supervisor restarts a dying copy; once it has
   * given up (restart budget spent) the version is reverted like a failed
   * swap, and the version the workspace went back to is served.
   */
  async function crashLooped(copy: CopyRef, restarts: number): Promise<void> {
    const detail = `${copy.version} died ${restarts} times after its health window (restart budget ${service.restartBudget})`;
    let back: string | null = null;
    if (copy.version !== 'workspace') {
      const reverted = await revertVersion({
        moduleId,
        workspace: input.workspace,
        version: copy.version,
        reason: 'HEALTH_FAILURE',
        detail,
        ...(input.smokeCommand ? { smokeCommand: input.smokeCommand } : {}),
      });
      keep(reverted.events);
      back = reverted.restoredTo;
    }
    await stopCopy(moduleId, copy);
    lastServed = copy.version;
    serving = null;
    history.swaps.push({
      version: copy.version,
      outcome: 'failed',
      reason: detail,
      at: new Date().toISOString(),
    });
    if (back) {
      const cwd = await releases.materializeVersion({ moduleId, version: back });
      const port = service.strategy === 'side-by-side' ? await services.freePort() : null;
      serving = await startCopy({
        moduleId,
        slot: newSlot(back),
        version: back,
        cwd,
        serve: service.serve,
        port,
        restartBudget: service.restartBudget,
      });
    }
  }

  setHandler(serveStatusQuery, () => {
    const last = lastProbes.at(-1);
    const state: ServeState = stoppedAt
      ? 'stopped'
      : stopping
        ? 'stopping'
        : !ready
          ? 'starting'
          : serving
            ? 'serving'
            : 'down';
    // A pid from the last probe is not running once nothing serves.
    const live = serving !== null;
    return {
      moduleId,
      version: serving?.version ?? lastServed,
      state,
      stoppedAt,
      copyWorkflowId: serving?.workflowId ?? null,
      port: serving?.port ?? null,
      cwd: serving?.cwd ?? null,
      pid: live ? (last?.pid ?? null) : null,
      startedAt: live ? (last?.startedAt ?? null) : null,
      restarts: last?.restarts ?? 0,
      lastProbes,
      swapping,
      swaps: history.swaps,
      events: history.events,
    };
  });
  setHandler(
    swapUpdate,
    async ({ version }) => {
      await condition(() => ready);
      return swapTo(version, true);
    },
    {
      validator: ({ version }) => {
        if (!/^v[1-9][0-9]*$/.test(version)) throw new Error(`"${version}" is not a version (vN)`);
        if (swapping) throw new Error(`a swap to ${swapping} is running`);
        if (stopping) throw new Error('the service is stopping');
        if (serving?.version === version) throw new Error(`${version} is already serving`);
      },
    },
  );
  setHandler(stopServeUpdate, async () => {
    stopping = true;
    await condition(() => ready && swapping === null);
    const was = serving;
    if (was) await stopCopy(moduleId, was);
    lastServed = was?.version ?? lastServed;
    serving = null;
    stoppedAt = new Date().toISOString();
    return { stopped: was?.version ?? null };
  });
  setHandler(followSignal, ({ version }) => void follows.push(version));

  if (!serving && !stopping) {
    const active = activeVersion(await lineage.getLineage({ moduleId }));
    const version = active?.version ?? 'workspace';
    const cwd = active ? await releases.materializeVersion({ moduleId, version }) : input.workspace;
    const port = service.strategy === 'side-by-side' ? await services.freePort() : null;
    serving = await startCopy({
      moduleId,
      slot: newSlot(version),
      version,
      cwd,
      serve: service.serve,
      port,
      restartBudget: service.restartBudget,
    });
  }
  ready = true;

  const watchMs = Math.max(service.healthIntervalSec, 5) * 1000;
  while (!stopping) {
    const next = follows.shift();
    if (next && serving?.version !== next && !swapping) await swapTo(next, false);
    if (serving && !swapping) {
      const probe = await services.probeServiceCopy({
        moduleId,
        slot: serving.slot,
        probe: service.health ? probeFor(service.health, serving.port) : null,
        cwd: serving.cwd,
        port: serving.port,
        timeoutMs: 5_000,
      });
      lastProbes = [...lastProbes, probe].slice(-KEPT_PROBES);
      if (probe.gaveUp) await crashLooped(serving, probe.restarts);
    }
    await condition(() => stopping || follows.length > 0, watchMs);
    if (workflowInfo().continueAsNewSuggested && !swapping) {
      await condition(allHandlersFinished);
      return continueAsNew<typeof serveModule>({ ...input, carried: { serving, history } });
    }
  }
  await condition(allHandlersFinished);
  return { stopped: history.swaps.at(-1)?.version ?? null };
}
