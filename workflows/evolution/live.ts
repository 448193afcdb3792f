/**
 * Live versions in the cycle (behind patched('live-versions'), so cycles
 * recorded before it replay unchanged):
 *
 *   start     the module's settings read and checked (contradictions refuse
 *             the cycle); with a service, a copy of the active version runs
 *             for the whole cycle (carried over continue-as-new)
 *   accepted  the hot swap to the new version; a failed health window
 *             reverts it (HEALTH_FAILURE) and the cycle goes on from the
 *             version the workspace went back to — or, when the revert
 *             fails too, waits for an operator (needs_attention)
 *   end       the copy is stopped
 */
import { patched } from '@temporalio/workflow';
import type { IterationRecord } from '../../domain/evolution/results';
import type { CopyRef } from '../services/copy';
import { services } from '../services/activities';
import {
  moduleRules,
  startCycleService,
  stopCycleService,
  swapAfterAccept,
  type ModuleRules,
} from '../services/cycleService';
import { activeOf, emit, refreshLineage, type CycleRun } from './cycleState';

export interface LiveState {
  rules: ModuleRules;
  serving: CopyRef | null;
}

const PATCH = 'live-versions';
const REVERT_FAILURE_PARKS = 'health-revert-failure-parks';

/** Reads and checks the module's settings, before anything runs. Throws UnhonourableSettings. */
export async function readRules(run: CycleRun): Promise<void> {
  if (!patched(PATCH)) return;
  run.live = { rules: await moduleRules(run.config), serving: null };
}

/** With a service: the copy of the active version that runs for the cycle. */
export async function openLive(run: CycleRun, carried: CopyRef | null): Promise<void> {
  if (!run.live?.rules.service) return;
  const { rules } = run.live;
  if (!rules.service) return;
  run.live.serving = await startCycleService(
    run.config.moduleId,
    rules.service,
    activeOf(run),
    carried,
  );
  emit(run, 'SWAP_COMMITTED', {
    version: run.live.serving.version,
    copy: run.live.serving.workflowId,
    note: 'serving the active version for the cycle',
  });
}

/**
 * After an acceptance: the hot swap, and its revert when the health window
 * fails. True when the revert failed too: nothing known-good is serving or
 * checked out, so the cycle must wait for an operator.
 */
export async function swapAccepted(run: CycleRun, record: IterationRecord): Promise<boolean> {
  const live = run.live;
  if (!live?.rules.service || record.decision !== 'accepted') return false;
  const accepted = activeOf(run);
  const result = await swapAfterAccept({
    config: run.config,
    service: live.rules.service,
    serving: live.serving,
    accepted,
    emit: (type, data) => emit(run, type, data, record.index),
  });
  live.serving = result.serving;
  if (result.committed) return false;
  record.decision = 'rolled_back';
  record.rollbackPerformed = true;
  record.reason = `reverted after a failed health check (HEALTH_FAILURE)`;
  record.warnings = [...record.warnings, `${accepted.version} reverted: HEALTH_FAILURE`];
  run.consecutiveRejections++;
  await refreshLineage(run, false);
  const restored = run.lineage.find((v) => v.version === result.restoredTo);
  if (restored) run.active = restored;
  // Cycles recorded before this change went on past a failed revert.
  if (restored || !patched(REVERT_FAILURE_PARKS)) return false;
  record.reason = `${accepted.version} failed its health check (HEALTH_FAILURE) and could not be reverted`;
  emit(run, 'NEEDS_ATTENTION', { reason: record.reason, version: accepted.version }, record.index);
  return true;
}

export async function closeLive(run: CycleRun): Promise<void> {
  if (!run.live?.serving) return;
  await stopCycleService(run.config.moduleId, run.live.serving);
  run.live.serving = null;
}

/** An operator's rollback in the cycle: the version left keeps `rolled_back` and gains its reason (MANUAL). */
export async function revertManually(
  run: CycleRun,
  version: string,
  restoredTo: string,
  detail: string,
): Promise<void> {
  await services.recordRevert({
    moduleId: run.config.moduleId,
    version,
    revert: { reason: 'MANUAL', detail, at: new Date().toISOString(), restoredTo },
    status: 'rolled_back', // what `evolve rollback` has always left; the reason is added
  });
  emit(run, 'VERSION_REVERTED', { version, reason: 'MANUAL', detail, restoredTo });
}

/** After a rollback: the service runs the version the workspace went back to. */
export async function followService(run: CycleRun): Promise<void> {
  const live = run.live;
  if (!live?.rules.service || !live.serving) return;
  const active = activeOf(run);
  if (live.serving.version === active.version) return;
  live.serving = await startCycleService(
    run.config.moduleId,
    live.rules.service,
    active,
    live.serving,
  );
}
