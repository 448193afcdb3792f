/** The records an evolution cycle reports: per iteration and for the whole run. */
import type { CompatibilityLevel, VersionRecord } from '../versions';
import type { EvolutionEvent } from './events';
import type { CandidateFailureReason } from './failures';
import type { CycleState } from './operator';

export type IterationDecision = 'accepted' | 'rolled_back' | 'rejected' | 'pending_approval';

export interface MetricVerdictSummary {
  verdict: string;
  pValue: number | null;
  effect: number | null;
  baseline: number | null;
  candidate: number | null;
  /**
   * Same-window judge (baseline and candidate measured in this iteration's window):
   * `window` (samples: Hodges–Lehmann + Mann–Whitney) or `threshold` (single values).
   */
  method?: 'window' | 'threshold' | 'none';
  /** Which of the window's tests decided (`rank` or `trimmed`), when one did. */
  test?: 'rank' | 'trimmed' | null;
  /** Hodges–Lehmann interval of the shift, in the effect's units. */
  interval?: { lower: number | null; upper: number | null; confidence: number } | null;
  /** Holm–Bonferroni adjusted over the sampled metrics. */
  adjustedPValue?: number | null;
  rounds?: number;
  minDetectableEffect?: number | null;
  minEffect?: number;
  reason?: string;
}

export interface IterationRecord {
  index: number;
  /** The patch file name or the mutator command. */
  candidate: string;
  /** The candidate's version in the lineage, when it got that far. */
  version: string | null;
  decision: IterationDecision;
  reason: string;
  /** Why the candidate was turned away, from a closed set (null when accepted or pending). */
  reasonCode?: CandidateFailureReason | null;
  rollbackPerformed: boolean;
  safetyScore: number | null;
  compatibility: CompatibilityLevel | null;
  metrics: Record<string, MetricVerdictSummary>;
  warnings: string[];
  /** The same-window judge's rounds and what measuring in the workspace cost (tree swaps). */
  judge?: { rounds: number; swaps: number; swapMs: number; measureMs: number };
}

export interface PendingApproval {
  iteration: number;
  version: string;
  compatibility: CompatibilityLevel | null;
  rationale: string[];
  reason: string;
  kind: 'approval' | 'inconclusive';
  /** ISO time when the approval times out. */
  deadline: string;
}

export interface CycleStatus {
  workflowId: string;
  moduleId: string;
  state: CycleState;
  iteration: number;
  step: string;
  activeVersion: string | null;
  pendingApproval: PendingApproval | null;
  stopReason: string | null;
  /** Per sink (jsonl, webhook): how far it got, how far behind it is, failures in this outage. */
  delivery?: Record<
    string,
    { deliveredSeq: number; lag: number; failures: number; lastError: string | null }
  >;
  /** What the budgets count (since the start or the last resume). */
  budgets?: { evaluations: number; commandSec: number; wallSec: number };
}

/** The A/A calibration a cycle ran at its start (judge.requireCalibration). */
export interface CycleCalibration {
  rounds: number;
  alpha: number;
  /** Share of relabellings of the A/A rounds the judge would have rolled back. */
  falseRollbackRate: number;
  /** The minimum effect the cycle's judge uses: `minEffect` when set, else `suggestedMinEffect`. */
  minEffect: number | null;
  /** Largest suggestedMinEffect over the metrics (null: none had samples). */
  suggestedMinEffect: number | null;
  metrics: Record<
    string,
    {
      cv: number;
      drift: number;
      falseRollbackRate: number;
      minDetectableEffect: number | null;
      suggestedMinEffect: number | null;
    }
  >;
}

export interface CycleResult {
  workflowId: string;
  moduleId: string;
  state: CycleState;
  finalVersion: string | null;
  stopReason: string;
  iterations: IterationRecord[];
  lineage: VersionRecord[];
  events: EvolutionEvent[];
  /** Present when the config required a calibration. */
  calibration?: CycleCalibration | null;
}
