/**
 * The decision at the end of an iteration, as a pure function of what was
 * measured — so it is unit-tested on its own and replays identically.
 */
import type { CompatibilityLevel } from '../versions';
import type { CandidateFailureReason } from './failures';

export interface Evaluation {
  testsPassed: boolean;
  /** Gate commands that failed, by command. */
  failedGates: string[];
}

export interface JudgeSummary {
  safetyScore: number;
  /** Metrics whose verdict was regressed or critical. */
  regressed: string[];
  critical: string[];
}

export interface DecisionPolicy {
  requireApproval: boolean;
  rejectBreaking: boolean;
  scoreThresholds: { marginal: number; pass: number };
}

export type Decision =
  | { kind: 'rollback'; reason: string; code: CandidateFailureReason }
  | { kind: 'reject'; reason: string; code: CandidateFailureReason }
  | { kind: 'inconclusive'; reason: string }
  | { kind: 'await_approval'; reason: string }
  | { kind: 'accept'; reason: string };

/** Before compatibility is known: tests, gates, then the judge. `null` = go on to compatibility. */
export function decideOnEvaluation(
  evaluation: Evaluation,
  judge: JudgeSummary | null,
  policy: DecisionPolicy,
): Decision | null {
  if (!evaluation.testsPassed)
    return { kind: 'rollback', reason: 'tests failed', code: 'tests_failed' };
  if (evaluation.failedGates.length) {
    return {
      kind: 'rollback',
      reason: `gate failed: ${evaluation.failedGates.join(', ')}`,
      code: 'gate_failed',
    };
  }
  if (!judge) return null;
  if (judge.critical.length) {
    return {
      kind: 'rollback',
      reason: `critical regression: ${judge.critical.join(', ')}`,
      code: 'critical_regression',
    };
  }
  if (judge.regressed.length) {
    return {
      kind: 'rollback',
      reason: `regression: ${judge.regressed.join(', ')}`,
      code: 'regression',
    };
  }
  const { marginal, pass } = policy.scoreThresholds;
  if (judge.safetyScore < marginal) {
    return {
      kind: 'rollback',
      reason: `safety score ${judge.safetyScore} below ${marginal}`,
      code: 'low_safety_score',
    };
  }
  if (judge.safetyScore < pass) {
    return {
      kind: 'inconclusive',
      reason: `safety score ${judge.safetyScore} between ${marginal} and ${pass}: a human decides`,
    };
  }
  return null;
}

/** After compatibility: BREAKING is rejected or waits for a human; else accept. */
export function decideOnCompatibility(level: CompatibilityLevel, policy: DecisionPolicy): Decision {
  if (level === 'BREAKING' && policy.rejectBreaking) {
    return {
      kind: 'reject',
      reason: 'BREAKING change and rejectBreaking is set',
      code: 'breaking_change',
    };
  }
  if (level === 'BREAKING' && policy.requireApproval) {
    return { kind: 'await_approval', reason: 'BREAKING change needs approval' };
  }
  return { kind: 'accept', reason: `compatibility ${level}` };
}
