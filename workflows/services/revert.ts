/**
 * Taking a version back after it was live — a failed swap, a manual
 * `ratchet versions rollback` — with exactly the cycle's rollback
 * (workflows/evolution/rollback.ts: restore, verify by checksum and smoke,
 * cascade, recover to stable, events, metrics), then the version marked
 * `reverted` with its closed reason and free text.
 */
import { EvolutionConfig } from '../../domain/evolution/config';
import type { EvolutionEventType } from '../../domain/evolution/events';
import {
  rollbackTargetWithFallback,
  type TargetFallback,
} from '../../domain/services/rollbackTarget';
import type { RevertReasonCode, VersionRecord } from '../../domain/versions';
import { rollbackWithRecovery, type RollbackOutcome } from '../evolution/rollback';
import { lineage, services } from './activities';

export interface RevertInput {
  moduleId: string;
  workspace: string;
  /** The version taken back. */
  version: string;
  /** Where to go; default: the seeds' rollback target (with its fallback). */
  to?: string;
  reason: RevertReasonCode;
  detail: string;
  smokeCommand?: string;
  maxRollbackAttempts?: number;
  /**
   * The cycle's own config when a cycle reverts: its sandbox, command
   * timeout and rollback switches then hold for the revert as for any of its
   * rollbacks. Without it (a service or an operator outside a cycle) the
   * defaults hold.
   */
  cycleConfig?: EvolutionConfig;
}

export interface RevertEvent {
  type: EvolutionEventType;
  at: string;
  data: Record<string, unknown>;
}

export interface RevertResult {
  ok: boolean;
  reverted: string;
  restoredTo: string | null;
  fallback: TargetFallback | 'requested';
  note: string;
  rollback: RollbackOutcome | null;
  events: RevertEvent[];
}

/**
 * The config the cycle's rollback reads: the cycle's own when a cycle
 * reverts; otherwise the defaults (sandbox, timeouts, cascade and recovery
 * switches) with the service's smoke command and attempts. Candidate and test
 * are required by the schema but never read on this path.
 */
function rollbackConfig(input: RevertInput): EvolutionConfig {
  if (input.cycleConfig) return input.cycleConfig;
  return EvolutionConfig.parse({
    moduleId: input.moduleId,
    workspace: input.workspace,
    candidate: { kind: 'patches', dir: input.workspace },
    evaluation: { test: 'true' },
    ...(input.smokeCommand ? { smokeCommand: input.smokeCommand } : {}),
    ...(input.maxRollbackAttempts ? { maxRollbackAttempts: input.maxRollbackAttempts } : {}),
  });
}

export async function revertVersion(input: RevertInput): Promise<RevertResult> {
  const events: RevertEvent[] = [];
  const emit = (type: EvolutionEventType, data: Record<string, unknown> = {}) =>
    events.push({ type, at: new Date().toISOString(), data });
  const versions = await lineage.getLineage({ moduleId: input.moduleId });
  let target: VersionRecord | null;
  let fallback: RevertResult['fallback'];
  let note: string;
  if (input.to) {
    target = versions.find((v) => v.version === input.to) ?? null;
    fallback = 'requested';
    note = target ? `rolling back to ${input.to} as asked` : `no version ${input.to}`;
  } else {
    const choice = rollbackTargetWithFallback(versions, { from: input.version });
    ({ target, fallback, note } = choice);
  }
  if (!target) {
    emit('NEEDS_ATTENTION', { reason: note, version: input.version });
    return {
      ok: false,
      reverted: input.version,
      restoredTo: null,
      fallback,
      note,
      rollback: null,
      events,
    };
  }
  if (fallback !== 'none' && fallback !== 'requested')
    emit('ROLLBACK_TARGET_FALLBACK', { note, fallback });
  const rollback = await rollbackWithRecovery(
    { config: rollbackConfig(input), iteration: null, emit, step: () => undefined },
    target,
    input.reason,
  );
  const restoredTo = rollback.ok ? (rollback.version?.version ?? null) : null;
  if (restoredTo !== input.version) {
    await services.recordRevert({
      moduleId: input.moduleId,
      version: input.version,
      revert: {
        reason: input.reason,
        detail: input.detail,
        at: new Date().toISOString(),
        restoredTo,
      },
    });
    emit('VERSION_REVERTED', {
      version: input.version,
      reason: input.reason,
      detail: input.detail,
      restoredTo,
    });
  }
  return { ok: rollback.ok, reverted: input.version, restoredTo, fallback, note, rollback, events };
}
