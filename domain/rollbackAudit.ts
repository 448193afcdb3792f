/**
 * The seed's rollback audit trail (AuditLevel × OPERATION_ROLLBACK): one
 * record when a rollback starts, one per compensation, one when it completes
 * (with `rollback_duration_ms` and the success and failure counts), and a
 * CRITICAL one when the rollback could not be trusted — refused for an
 * invalid snapshot, or incomplete with resources left behind. Pure: built
 * here, written as JSON lines by activities/agents/audit.ts.
 */
import type { CompensationRecord } from './saga';

export const AUDIT_LEVELS = ['INFO', 'WARNING', 'ERROR', 'CRITICAL'] as const;
export type AuditLevel = (typeof AUDIT_LEVELS)[number];

export interface AuditRecord {
  timestamp: string;
  level: AuditLevel;
  category: 'OPERATION_ROLLBACK';
  /** `agent_creation_rollback_start`, `rollback_action_<type>`, `…_complete`, `…_critical_failure`. */
  operation: string;
  /** The workflow id of the operation rolled back. */
  operationId: string;
  resource_type: string;
  resource_id: string;
  success: boolean;
  error_message: string | null;
  metadata: Record<string, unknown>;
}

export interface RollbackAuditInput {
  operationId: string;
  /** `agent.create` → `agent_creation`, `session.create` → `session_creation`. */
  operation: string;
  subjectId: string;
  /** Epoch ms when compensation started and ended (workflow time). */
  startedAt: number;
  finishedAt: number;
  compensations: CompensationRecord[];
  cleanupCompleteness: number;
  /** What the post-compensation check found still different. */
  drift: string[];
  /** Set when compensation was refused or crashed. */
  criticalError?: string | null;
}

const iso = (ms: number) => new Date(ms).toISOString();

export function rollbackAuditRecords(input: RollbackAuditInput): AuditRecord[] {
  const prefix = input.operation
    .replace(/\.create$/, '_creation')
    .replace(/\.delete$/, '_deletion');
  const base = {
    category: 'OPERATION_ROLLBACK' as const,
    operationId: input.operationId,
  };
  const failed = input.compensations.filter((c) => c.status === 'failed').length;
  const succeeded = input.compensations.length - failed;
  const records: AuditRecord[] = [
    {
      ...base,
      timestamp: iso(input.startedAt),
      level: 'WARNING',
      operation: `${prefix}_rollback_start`,
      resource_type: 'rollback_manager',
      resource_id: input.subjectId,
      success: true,
      error_message: null,
      metadata: { total_actions: input.compensations.length },
    },
  ];
  let at = input.startedAt;
  for (const c of input.compensations) {
    at += c.durationMs;
    const ok = c.status !== 'failed';
    records.push({
      ...base,
      timestamp: iso(at),
      level: ok ? 'INFO' : 'ERROR',
      operation: `rollback_action_${c.actionType}`,
      resource_type: c.actionType,
      resource_id: c.resourceId,
      success: ok,
      error_message: ok ? null : (c.error ?? `rollback action ${c.actionType} failed`),
      metadata: {
        action_description: c.description,
        action_duration_ms: c.durationMs,
        action_priority: c.priority,
        action_status: c.status,
        attempts: c.attempts,
      },
    });
  }
  const durationMs = Math.max(0, input.finishedAt - input.startedAt);
  if (!input.criticalError) {
    const ok = failed === 0 && input.drift.length === 0;
    records.push({
      ...base,
      timestamp: iso(input.finishedAt),
      level: ok ? 'INFO' : 'WARNING',
      operation: `${prefix}_rollback_complete`,
      resource_type: 'rollback_manager',
      resource_id: input.subjectId,
      success: ok,
      error_message: ok
        ? null
        : [
            failed ? `${failed} rollback actions failed` : '',
            input.drift.length ? `${input.drift.length} difference(s) left` : '',
          ]
            .filter(Boolean)
            .join('; '),
      metadata: {
        successful_actions: succeeded,
        failed_actions: failed,
        rollback_duration_ms: durationMs,
        cleanup_completeness: input.cleanupCompleteness,
        drift: input.drift,
      },
    });
  }
  const critical =
    input.criticalError ??
    (failed > 0 && input.drift.length > 0
      ? `rollback incomplete and resources left behind: ${input.drift.join('; ')}`
      : null);
  if (critical) {
    records.push({
      ...base,
      timestamp: iso(input.finishedAt),
      level: 'CRITICAL',
      operation: `${prefix}_rollback_critical_failure`,
      resource_type: 'rollback_manager',
      resource_id: input.subjectId,
      success: false,
      error_message: critical,
      metadata: {
        successful_actions: succeeded,
        failed_actions: failed,
        rollback_duration_ms: durationMs,
      },
    });
  }
  return records;
}
