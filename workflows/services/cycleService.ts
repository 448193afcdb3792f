/**
 * What an evolution cycle needs to keep a module's service live (wired in
 * by workflows/evolution/): the settings it obeys, the copy of the active
 * version it starts, the hot swap after each acceptance (reverting with
 * HEALTH_FAILURE when the health window fails), and the stop at its end.
 *
 *   cycle start   moduleRules → refuse unhonourable settings; startCycleService
 *   accepted vN   swapAfterAccept → SWAP_* events; failed → revertVersion (HEALTH_FAILURE)
 *   cycle end     stopCycleService
 */
import { ApplicationFailure, executeChild, workflowInfo } from '@temporalio/workflow';
import type { EvolutionConfig } from '../../domain/evolution/config';
import type { EvolutionEventType } from '../../domain/evolution/events';
import { combineModuleRules, type ModuleRules } from '../../domain/services/moduleRules';
import type { ServiceSettings } from '../../domain/services/settings';
import type { VersionRecord } from '../../domain/versions';
import { releases, services } from './activities';
import { startCopy, stopCopy, type CopyRef } from './copy';
import { newSlot, serviceSwap, untilHealthy } from './hotSwap';
import { revertVersion } from './revert';

export type { ModuleRules };

function refuse(message: string): ApplicationFailure {
  return ApplicationFailure.create({ type: 'UnhonourableSettings', message, nonRetryable: true });
}

/**
 * The cycle's config and the module's own settings (`ratchet versions
 * config`), combined by domain/services/moduleRules.ts — the same function
 * `ratchet evolve start` refuses with. Contradicting settings are refused, naming them.
 */
export async function moduleRules(config: EvolutionConfig): Promise<ModuleRules> {
  const module = await services.moduleSettings({ moduleId: config.moduleId });
  try {
    return combineModuleRules(config, module);
  } catch (err) {
    throw refuse((err as Error).message);
  }
}

/** Starts (or, after continue-as-new, keeps) the copy serving the active version. */
export async function startCycleService(
  moduleId: string,
  service: ServiceSettings,
  active: VersionRecord,
  carried: CopyRef | null,
): Promise<CopyRef> {
  if (carried && carried.version === active.version) return carried;
  if (carried) await stopCopy(moduleId, carried);
  const cwd = await releases.materializeVersion({ moduleId, version: active.version });
  const port = service.strategy === 'side-by-side' ? await services.freePort() : null;
  const copy = await startCopy({
    moduleId,
    slot: newSlot(active.version),
    version: active.version,
    cwd,
    serve: service.serve,
    port,
    restartBudget: service.restartBudget,
  });
  await untilHealthy(moduleId, service, copy);
  return copy;
}

export interface SwapAfterAccept {
  serving: CopyRef | null;
  /** The version is live (committed). */
  committed: boolean;
  /** When the swap failed: the version the workspace went back to (null when the rollback failed too). */
  restoredTo: string | null;
}

export async function swapAfterAccept(input: {
  config: EvolutionConfig;
  service: ServiceSettings;
  serving: CopyRef | null;
  accepted: VersionRecord;
  emit: (type: EvolutionEventType, data: Record<string, unknown>) => void;
}): Promise<SwapAfterAccept> {
  const { config, service, accepted } = input;
  const result = await executeChild(serviceSwap, {
    workflowId: `swap-${config.moduleId}-${accepted.version}-${workflowInfo().runId.slice(0, 8)}`,
    args: [
      { moduleId: config.moduleId, service, from: input.serving, toVersion: accepted.version },
    ],
    staticSummary: `hot swap of ${config.moduleId} to ${accepted.version}`,
  });
  for (const e of result.events) input.emit(e.type, e.data);
  if (result.outcome === 'committed')
    return { serving: result.serving, committed: true, restoredTo: null };
  const reverted = await revertVersion({
    moduleId: config.moduleId,
    workspace: config.workspace,
    version: accepted.version,
    ...(result.serving ? { to: result.serving.version } : {}),
    reason: 'HEALTH_FAILURE',
    detail: result.reason ?? 'swap failed',
    ...(config.smokeCommand ? { smokeCommand: config.smokeCommand } : {}),
    maxRollbackAttempts: config.maxRollbackAttempts,
    cycleConfig: config,
  });
  for (const e of reverted.events) input.emit(e.type, e.data);
  return { serving: result.serving, committed: false, restoredTo: reverted.restoredTo };
}

export async function stopCycleService(moduleId: string, serving: CopyRef | null): Promise<void> {
  if (serving) await stopCopy(moduleId, serving);
}
