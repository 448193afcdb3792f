/**
 * Recovery plans as data: for each failure type, the strategies to try in
 * order (escalating when one fails), and per lane how hard to retry. After
 * the seed's tables; a pipeline file may replace any type's strategies.
 */
import type { FailureType, Lane, Pipeline, Strategy } from './schema';

export const DEFAULT_STRATEGIES: Record<FailureType, Strategy[]> = {
  /** Check resources, resume from the checkpoint, try a heavier lane, then a person. */
  timeout: ['CHECK_RESOURCES', 'RESUME', 'ESCALATE_LANE', 'MANUAL'],
  /** Re-run the failing tests, then a person reviews. */
  test_failure: ['RETRY', 'MANUAL'],
  /** Fix automatically (the step's `autoFix`, when it has one), run the gate again, then a person. */
  quality_gate_failure: ['AUTO_FIX', 'RETRY', 'MANUAL'],
  /** Enough memory and disk? Clean up (restore the last good state) and retry; a heavier lane; a person. */
  resource_exhaustion: ['CHECK_RESOURCES', 'RESUME', 'ESCALATE_LANE', 'MANUAL'],
  /** Wait (60 s unless `networkWaitSec`), retry; continue from the checkpoint; then a person. */
  network_error: ['WAIT_RETRY', 'RESUME', 'MANUAL'],
  /** Fetch and reset to the last good checkpoint's commit; back to the start; then a person. */
  git_error: ['GIT_RESET', 'ROLLBACK', 'MANUAL'],
  unknown: ['RETRY', 'MANUAL'],
};

export interface RetryProfile {
  maximumAttempts: number;
  initialIntervalSec: number;
  backoffCoefficient: number;
}

/** Lighter lanes give up sooner: the seed's docs lane is minutes, heavy is the long haul. */
export const LANE_RETRY: Record<Lane, RetryProfile> = {
  docs: { maximumAttempts: 2, initialIntervalSec: 1, backoffCoefficient: 2 },
  standard: { maximumAttempts: 3, initialIntervalSec: 1, backoffCoefficient: 2 },
  heavy: { maximumAttempts: 4, initialIntervalSec: 2, backoffCoefficient: 2 },
};

export interface RecoveryPlan {
  failureType: FailureType;
  lane: Lane;
  strategies: Strategy[];
  retry: RetryProfile;
}

/** The plan for one failure: SKIP only for optional steps (and first for them), never for required ones. */
export function recoveryPlan(
  failureType: FailureType,
  lane: Lane,
  options: { optional?: boolean; overrides?: Pipeline['recovery'] } = {},
): RecoveryPlan {
  let strategies = [...(options.overrides?.[failureType] ?? DEFAULT_STRATEGIES[failureType])];
  strategies = options.optional
    ? ['SKIP', ...strategies.filter((s) => s !== 'SKIP')]
    : strategies.filter((s) => s !== 'SKIP');
  if (strategies.length === 0) strategies = ['MANUAL'];
  return { failureType, lane, strategies, retry: LANE_RETRY[lane] };
}
