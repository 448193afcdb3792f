/**
 * The seeds' approval × breaking-change matrix, as one pure function, so the
 * cycle, the swap and the tests read the same table:
 *
 *   BREAKING candidate      │ autoRollbackOnBreaking off      │ on
 *   ────────────────────────┼─────────────────────────────────┼────────────────────────────────
 *   requireApproval off     │ accept, with a warning event    │ revert (reason BREAKING)
 *   requireApproval on      │ wait; rejection → reject        │ wait; rejection or timeout → revert
 *
 * `rejectBreaking` rejects a BREAKING candidate before it becomes a version.
 * UNKNOWN compatibility proceeds, with a warning event. COMPATIBLE and
 * MINOR_CHANGE are accepted. Settings that contradict each other are refused
 * up front (settingsProblem), never silently resolved one way.
 */
import type { CompatibilityLevel, RevertReasonCode } from '../versions';

export interface BreakingSettings {
  requireApproval: boolean;
  rejectBreaking: boolean;
  autoRollbackOnBreaking: boolean;
  /** What an unanswered approval becomes. @default 'reject' */
  approvalTimeoutOutcome?: 'reject' | 'approve';
}

export type CompatibilityAction =
  | { kind: 'accept'; warning: string | null }
  | { kind: 'reject'; reason: string }
  | { kind: 'revert'; reason: RevertReasonCode; detail: string }
  | {
      kind: 'await_approval';
      reason: string;
      /** What a rejection (or an approval that times out to reject) does. */
      onRejection: 'reject' | 'revert';
      warning: string | null;
    };

/** Why these settings cannot be honoured together (naming them), or null. */
export function settingsProblem(s: BreakingSettings): string | null {
  if (s.rejectBreaking && s.autoRollbackOnBreaking)
    return 'rejectBreaking and autoRollbackOnBreaking are both set: one rejects a BREAKING candidate before it becomes a version, the other accepts it and reverts it; choose one';
  if (s.requireApproval && s.autoRollbackOnBreaking && s.approvalTimeoutOutcome === 'approve')
    return 'requireApproval with autoRollbackOnBreaking reverts a BREAKING change nobody approved, but approvalTimeoutOutcome "approve" would accept it: set approvalTimeoutOutcome to "reject"';
  return null;
}

export class UnhonourableSettings extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnhonourableSettings';
  }
}

/** The matrix. Throws UnhonourableSettings for contradicting settings. */
export function compatibilityAction(
  level: CompatibilityLevel,
  s: BreakingSettings,
): CompatibilityAction {
  const problem = settingsProblem(s);
  if (problem) throw new UnhonourableSettings(problem);
  if (level === 'UNKNOWN')
    return {
      kind: 'accept',
      warning: 'compatibility UNKNOWN: the public interface could not be compared; proceeding',
    };
  if (level !== 'BREAKING') return { kind: 'accept', warning: null };
  if (s.rejectBreaking)
    return { kind: 'reject', reason: 'BREAKING change and rejectBreaking is set' };
  if (s.requireApproval)
    return {
      kind: 'await_approval',
      reason: 'BREAKING change needs approval',
      onRejection: s.autoRollbackOnBreaking ? 'revert' : 'reject',
      warning: null,
    };
  if (s.autoRollbackOnBreaking)
    return {
      kind: 'revert',
      reason: 'BREAKING',
      detail: 'BREAKING change and autoRollbackOnBreaking is set',
    };
  return {
    kind: 'accept',
    warning: 'BREAKING change accepted: neither requireApproval nor autoRollbackOnBreaking is set',
  };
}
