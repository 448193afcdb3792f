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
  /** No version qualified as the rollback target: the fallback used, said out loud. */
  'ROLLBACK_TARGET_FALLBACK',
  /** autoCleanup (the seeds' `auto_cleanup`) applied maxCheckpoints after an iteration, or could not. */
  'CHECKPOINTS_CLEANED_UP',
  'CHECKPOINT_CLEANUP_FAILED',
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

/**
 * The seeds' names for what an event carries (EVOSEAL's `event.data`:
 * `version_id`, `verification_passed`, `rollback_chain`, …), derived from
 * ratchet's own keys. Added where events leave the workflow (the durable log,
 * and so every sink and `ratchet evolve events`); ratchet's keys stay, and a
 * key already present is never overwritten.
 */
export function seedKeys(event: Pick<EvolutionEvent, 'type' | 'data'>): Record<string, unknown> {
  const d = event.data;
  const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
  const out: Record<string, unknown> = {};
  const versionId = str(d.version) ?? str(d.to);
  if (versionId !== undefined) out.version_id = versionId;
  switch (event.type) {
    case 'ROLLBACK_COMPLETED':
      out.success = true;
      if (typeof d.verified === 'boolean') out.verification_passed = d.verified;
      break;
    case 'ROLLBACK_FAILED':
      out.success = false;
      break;
    case 'ROLLBACK_VERIFICATION_PASSED':
      out.verification_passed = true;
      break;
    case 'ROLLBACK_VERIFICATION_FAILED':
      out.verification_passed = false;
      break;
    case 'CASCADING_ROLLBACK_STARTED':
      if (str(d.from)) out.failed_version = d.from;
      if (typeof d.maxAttempts === 'number') out.max_attempts = d.maxAttempts;
      break;
    case 'CASCADING_ROLLBACK_COMPLETED':
      out.success = true;
      out.final_version = d.version;
      if (Array.isArray(d.chain)) out.rollback_chain = d.chain;
      break;
    case 'FAILURE_RECOVERY_STARTED':
      if (Array.isArray(d.tried)) out.rollback_chain = d.tried;
      break;
    case 'FAILURE_RECOVERY_COMPLETED':
      out.success = true;
      out.final_version = d.version;
      out.recovery_strategy = 'known_good_version';
      if (Array.isArray(d.chain)) out.rollback_chain = d.chain;
      break;
    case 'CHECKPOINT_CREATED':
      if (str(d.checkpointId)) out.checkpoint_id = d.checkpointId;
      break;
    case 'VERSION_ACCEPTED':
      if (str(d.parent)) out.parent_version_id = d.parent;
      break;
    case 'EVALUATION_COMPLETED':
      if (typeof d.testsPassed === 'boolean') out.tests_passed = d.testsPassed;
      break;
    case 'REGRESSION_DETECTED':
      if (typeof d.safetyScore === 'number') out.safety_score = d.safetyScore;
      break;
    default:
  }
  for (const key of Object.keys(out)) if (key in d) delete out[key];
  return out;
}

/** The event with the seeds' keys added to its data (see seedKeys). */
export function withSeedKeys(event: EvolutionEvent): EvolutionEvent {
  const extra = seedKeys(event);
  return Object.keys(extra).length ? { ...event, data: { ...event.data, ...extra } } : event;
}
