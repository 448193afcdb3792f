/**
 * Why a candidate was turned away: a closed set, so a dashboard, a test or a
 * script can branch on it (the iteration record also keeps a sentence for
 * people). Each is the candidate's doing — none of them fails the cycle.
 */
import type { LimitKind } from '../sandbox';
import type { ScopeViolation } from './editScope';

export const CANDIDATE_FAILURE_REASONS = [
  'tests_failed',
  'gate_failed',
  'timeout',
  'metrics_crashed',
  'metrics_empty',
  'metrics_invalid',
  'metric_missing',
  'mutator_crashed',
  'mutator_timeout',
  'mutator_no_change',
  'patch_does_not_apply',
  'edit_scope',
  'workspace_destroyed',
  'changed_during_evaluation',
  'processes_left',
  'resource_limit',
  'regression',
  'critical_regression',
  'low_safety_score',
  'breaking_change',
  'rejected_by_operator',
  'approval_timed_out',
  'interrupted_by_operator',
] as const;
export type CandidateFailureReason = (typeof CANDIDATE_FAILURE_REASONS)[number];

/** A failed candidate, as activities and the judge report it. */
export interface CandidateFailure {
  reason: CandidateFailureReason;
  message: string;
}

/** What one evaluation command did, in the terms a decision needs. */
export interface CommandVerdict {
  passed: boolean;
  timedOut: boolean;
  /** Processes it left running (killed since). */
  leftProcesses: number;
  /** It could not even start (its cwd is gone: the candidate removed the workspace). */
  spawnError: string | null;
  /** The sandbox limit it hit (and was ended for); absent in results recorded before the sandbox. */
  limit?: LimitKind | null;
}

/** The failure a check command (test, gate) stands for, or null when it passed cleanly. */
export function commandFailure(
  kind: 'tests_failed' | 'gate_failed',
  verdict: CommandVerdict,
  what: string,
): CandidateFailure | null {
  if (verdict.spawnError)
    return { reason: 'workspace_destroyed', message: `${what}: ${verdict.spawnError}` };
  if (verdict.timedOut) return { reason: 'timeout', message: `${what} timed out` };
  if (verdict.limit) return limitFailure(verdict.limit, what);
  if (!verdict.passed)
    return {
      reason: kind,
      message: kind === 'tests_failed' ? 'tests failed' : `gate failed: ${what}`,
    };
  if (verdict.leftProcesses > 0)
    return {
      reason: 'processes_left',
      message: `${what} left ${verdict.leftProcesses} process(es) running`,
    };
  return null;
}

/** A command ended by the sandbox for exceeding one of its limits. */
export function limitFailure(limit: LimitKind, what: string): CandidateFailure {
  return { reason: 'resource_limit', message: `${what} exceeded the sandbox's ${limit} limit` };
}

/**
 * Metrics that have an explicit policy in the config and that the candidate
 * did not report: a benchmark that silently drops a metric must not pass.
 */
export function missingPolicedMetrics(
  reported: Record<string, unknown>,
  policies: Record<string, unknown>,
): string[] {
  return Object.keys(policies).filter((name) => !(name in reported));
}

export type MetricValues = Record<string, number | number[]>;

/** A check command's result as the workflow sees it (activities/evolution/evaluation.ts). */
export interface CommandOutcome extends CommandVerdict {
  command: string;
  exitCode: number | null;
  durationMs: number;
  /** Last lines of output, for the event log and the Web UI. */
  outputTail: string;
}

/** The metrics command's report, or why there is none. */
export type MetricsOutcome =
  | { ok: true; metrics: MetricValues; durationMs: number }
  | { ok: false; failure: CandidateFailure; durationMs: number };

/** What applying a candidate (patch or mutator) did. */
export interface CandidateResult {
  applied: boolean;
  /** Workspace-relative paths the candidate touched. */
  changedPaths: string[];
  violations: ScopeViolation[];
  /** Why it was not applied; null when applied. */
  failure: CandidateFailure | null;
}
