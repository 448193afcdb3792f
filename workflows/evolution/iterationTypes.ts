/** What an iteration (child workflow) is given and what it returns to the cycle. */
import type { EvolutionConfig } from '../../domain/evolution/config';
import type { MetricValues } from '../../domain/evolution/failures';
import type { IterationRecord } from '../../domain/evolution/results';
import type { CompatibilityReport, VersionRecord } from '../../domain/versions';
import type { RollbackOutcome } from './rollback';
import type { BreakingSettings } from '../../domain/services/breakingPolicy';

export interface IterationInput {
  config: EvolutionConfig;
  cycleWorkflowId: string;
  index: number;
  active: VersionRecord;
  /** Patch file for this iteration (patch source), else the mutator runs. */
  patchFile: string | null;
  baselineMetrics: MetricValues | null;
  /** Scalar metric values of recently accepted versions, oldest first. */
  history: Array<Record<string, number>>;
  /**
   * The module's approval × breaking-change settings (live.ts); absent in
   * cycles from before them, which decide as decideOnCompatibility did.
   */
  rules?: BreakingSettings;
  /** The cycle's A/A calibration's suggested minimum effect (judge.requireCalibration). */
  calibratedMinEffect?: number | null;
}

/** What an iteration spent, for the cycle's budgets. */
export interface IterationUsage {
  evaluated: boolean;
  commandMs: number;
}

export type IterationOutcome =
  | {
      kind: 'finished';
      record: IterationRecord;
      active: VersionRecord;
      metrics: MetricValues | null;
      usage: IterationUsage;
    }
  | {
      kind: 'needs_human';
      reason: 'approval' | 'inconclusive';
      record: IterationRecord;
      candidate: VersionRecord;
      compatibility: CompatibilityReport | null;
      metrics: MetricValues | null;
      active: VersionRecord;
      usage: IterationUsage;
      /** A BREAKING change under requireApproval + autoRollbackOnBreaking: a rejection or timeout reverts it. */
      onRejection?: 'reject' | 'revert';
    }
  | {
      kind: 'needs_attention';
      record: IterationRecord;
      rollback: RollbackOutcome;
      usage: IterationUsage;
      /** The infrastructure error, when that is why. */
      error?: string;
    };
