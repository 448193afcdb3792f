/**
 * Typed evolution events. They live in the workflow's state (queryable,
 * replay-safe) and are also handed to activities that log them and deliver
 * them to sinks.
 */
export const EVOLUTION_EVENT_TYPES = [
  'CYCLE_STARTED',
  'CYCLE_COMPLETED',
  'ITERATION_STARTED',
  'ITERATION_COMPLETED',
  'CHECKPOINT_CREATED',
  'CANDIDATE_APPLIED',
  'CANDIDATE_REJECTED',
  'EVALUATION_COMPLETED',
  'REGRESSION_DETECTED',
  'COMPATIBILITY_ASSESSED',
  'APPROVAL_REQUESTED',
  'APPROVAL_GRANTED',
  'APPROVAL_REJECTED',
  'APPROVAL_TIMED_OUT',
  'VERSION_ACCEPTED',
  'VERSION_TAGGED_STABLE',
  'ROLLBACK_INITIATED',
  'ROLLBACK_COMPLETED',
  'ROLLBACK_FAILED',
  'ROLLBACK_VERIFICATION_PASSED',
  'ROLLBACK_VERIFICATION_FAILED',
  'CASCADING_ROLLBACK_STARTED',
  'CASCADING_ROLLBACK_COMPLETED',
  'FAILURE_RECOVERY_STARTED',
  'FAILURE_RECOVERY_COMPLETED',
  'NEEDS_ATTENTION',
  'OPERATOR_ACTION',
  'SINK_DELIVERY_FAILED',
  'SINK_DELIVERY_RECOVERED',
  'BUDGET_REACHED',
  // A live service moved to an accepted version (domain/services, workflows/services/hotSwap.ts).
  'SWAP_PREPARED',
  'SWAP_STARTED',
  'SWAP_HEALTH_CHECK',
  'SWAP_COMMITTED',
  'SWAP_ROLLED_BACK',
  'SWAP_FAILED',
  /** A version taken back after it was live, with its closed reason and free text. */
  'VERSION_REVERTED',
  /** Settings that are honoured with a caveat (UNKNOWN compatibility, a BREAKING change accepted). */
  'COMPATIBILITY_WARNING',
] as const;

export type EvolutionEventType = (typeof EVOLUTION_EVENT_TYPES)[number];

export interface EvolutionEvent {
  /** Position in the cycle's event log, from 1; survives continue-as-new. */
  seq: number;
  type: EvolutionEventType;
  /** ISO-8601 workflow time (deterministic). */
  at: string;
  moduleId: string;
  iteration: number | null;
  data: Record<string, unknown>;
}
