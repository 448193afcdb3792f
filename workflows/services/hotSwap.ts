/**
 * The hot swap of a running service to a new version, as its own workflow
 * (`swap-<module>-<version>-…`), run by the serve workflow or a cycle:
 *
 *   prepare   materialise the version, pick a port (side by side)  → SWAP_PREPARED
 *   start     side by side: start the new copy beside the old;
 *             fixed port: stop the old copy, then start the new    → SWAP_STARTED
 *   probe     every healthIntervalSec for healthWindowSec; a failed
 *             probe or a restart of the new copy counts as a failure → SWAP_HEALTH_CHECK
 *   commit    healthy: stop the old copy                            → SWAP_COMMITTED
 *   roll back healthFailureThreshold failures: stop the new copy,
 *             start the old version again when it was stopped       → SWAP_ROLLED_BACK
 *   (anything unexpected: both copies end where they started, SWAP_FAILED)
 *
 * The swap moves the service only; the caller restores the workspace and
 * records the revert (workflows/services/revert.ts), so a cycle and
 * `ratchet serve` share one path.
 */
import { sleep, uuid4, workflowInfo } from '@temporalio/workflow';
import {
  healthFailures,
  healthVerdict,
  probeFor,
  type ServiceSettings,
} from '../../domain/services/settings';
import type { CopyProbe } from '../../activities/services';
import { releases, services } from './activities';
import { startCopy, stopCopy, type CopyRef } from './copy';

export interface SwapInput {
  moduleId: string;
  service: ServiceSettings;
  /** The copy running now (null: nothing runs yet). */
  from: CopyRef | null;
  toVersion: string;
}

export interface SwapEvent {
  type:
    | 'SWAP_PREPARED'
    | 'SWAP_STARTED'
    | 'SWAP_HEALTH_CHECK'
    | 'SWAP_COMMITTED'
    | 'SWAP_ROLLED_BACK'
    | 'SWAP_FAILED';
  at: string;
  data: Record<string, unknown>;
}

export interface SwapResult {
  outcome: 'committed' | 'rolled_back' | 'failed';
  /** The copy serving when the swap ended (the new one, or the old one again). */
  serving: CopyRef | null;
  probes: (CopyProbe & { deaths: number })[];
  events: SwapEvent[];
  /** Why it was rolled back or failed. */
  reason: string | null;
  strategy: ServiceSettings['strategy'];
}

/** A slot is never reused: the version plus a deterministic random suffix. */
export function newSlot(version: string): string {
  return `${version}-${uuid4().slice(0, 8)}`;
}

export async function serviceSwap(input: SwapInput): Promise<SwapResult> {
  const { moduleId, service, from } = input;
  const events: SwapEvent[] = [];
  const emit = (type: SwapEvent['type'], data: Record<string, unknown>) =>
    events.push({ type, at: new Date().toISOString(), data });
  const probes: SwapResult['probes'] = [];
  const sideBySide = service.strategy === 'side-by-side';
  let started: CopyRef | null = null;
  let oldStopped = false;

  const end = (outcome: SwapResult['outcome'], serving: CopyRef | null, reason: string | null) => ({
    outcome,
    serving,
    probes,
    events,
    reason,
    strategy: service.strategy,
  });

  try {
    const cwd = await releases.materializeVersion({ moduleId, version: input.toVersion });
    const port = sideBySide ? await services.freePort() : null;
    emit('SWAP_PREPARED', { version: input.toVersion, cwd, port, strategy: service.strategy });

    if (!sideBySide && from) {
      await stopCopy(moduleId, from);
      oldStopped = true;
    }
    started = await startCopy({
      moduleId,
      slot: newSlot(input.toVersion),
      version: input.toVersion,
      cwd,
      serve: service.serve,
      port,
      restartBudget: service.restartBudget,
    });
    emit('SWAP_STARTED', {
      version: input.toVersion,
      copy: started.workflowId,
      stopped: oldStopped ? from?.version : null,
    });

    const windowEnd = Date.now() + service.healthWindowSec * 1000;
    const target = service.health ? probeFor(service.health, port) : null;
    let lastRestarts = 0;
    while (Date.now() < windowEnd) {
      await sleep(service.healthIntervalSec * 1000);
      const p = await services.probeServiceCopy({
        moduleId,
        slot: started.slot,
        probe: target,
        cwd,
        port,
        timeoutMs: Math.min(5_000, Math.max(500, service.healthIntervalSec * 1000)),
      });
      // A death inside the window is a failure even when the restart answers again.
      const deaths = p.restarts - lastRestarts;
      lastRestarts = p.restarts;
      probes.push({
        ...p,
        ok: p.ok && deaths === 0,
        deaths,
        detail: deaths ? `${p.detail} (died ${deaths}× since the last probe)` : p.detail,
      });
      if (healthVerdict(probes, service.healthFailureThreshold) === 'revert') break;
    }
    const verdict = healthVerdict(probes, service.healthFailureThreshold);
    const failures = healthFailures(probes);
    emit('SWAP_HEALTH_CHECK', {
      version: input.toVersion,
      probes: probes.length,
      failures,
      threshold: service.healthFailureThreshold,
      verdict,
      last: probes.at(-1)?.detail ?? null,
    });

    if (verdict === 'healthy') {
      if (from && !oldStopped) await stopCopy(moduleId, from);
      emit('SWAP_COMMITTED', { version: input.toVersion, copy: started.workflowId });
      return end('committed', started, null);
    }
    const reason = `${failures} of ${probes.length} health probes failed within ${service.healthWindowSec}s (threshold ${service.healthFailureThreshold}); last: ${probes.at(-1)?.detail ?? '-'}`;
    const serving = await putBack(moduleId, service, from, started, oldStopped);
    emit('SWAP_ROLLED_BACK', { version: input.toVersion, to: serving?.version ?? null, reason });
    return end('rolled_back', serving, reason);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    const serving = await putBack(moduleId, service, from, started, oldStopped);
    emit('SWAP_FAILED', { version: input.toVersion, to: serving?.version ?? null, reason });
    return end('failed', serving, reason);
  }
}

/** Stops the new copy and makes sure the old version serves again. */
async function putBack(
  moduleId: string,
  service: ServiceSettings,
  from: CopyRef | null,
  started: CopyRef | null,
  oldStopped: boolean,
): Promise<CopyRef | null> {
  if (started) await stopCopy(moduleId, started);
  if (!from) return null;
  if (!oldStopped) return from;
  const again = await startCopy({
    moduleId,
    slot: newSlot(from.version),
    version: from.version,
    cwd: from.cwd,
    serve: service.serve,
    port: from.port,
    restartBudget: service.restartBudget,
  });
  await untilHealthy(moduleId, service, again);
  return again;
}

/**
 * Waits (up to the health window) until a copy answers its probe, so a swap
 * that put the old version back returns only once it serves again.
 */
export async function untilHealthy(
  moduleId: string,
  service: ServiceSettings,
  copy: CopyRef,
): Promise<boolean> {
  const deadline = Date.now() + service.healthWindowSec * 1000;
  const target = service.health ? probeFor(service.health, copy.port) : null;
  for (;;) {
    const p = await services.probeServiceCopy({
      moduleId,
      slot: copy.slot,
      probe: target,
      cwd: copy.cwd,
      port: copy.port,
      timeoutMs: 2_000,
    });
    if (p.ok) return true;
    if (Date.now() >= deadline) return false;
    await sleep(Math.min(250, service.healthIntervalSec * 1000));
  }
}

/** `swap-<module>-<version>-<run-suffix>`: readable in the Web UI. */
export function swapWorkflowId(moduleId: string, version: string): string {
  return `swap-${moduleId}-${version}-${workflowInfo().runId.slice(0, 8)}`;
}
