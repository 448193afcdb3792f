/** What `pipelineRun` reports (its query and result): the contract the CLI and tests read. */
import type { FailureType, Lane, Strategy } from './schema';

export type OperatorAction = 'retry' | 'skip' | 'rollback' | 'abort';

export interface PipelineStepReport {
  name: string;
  status: 'completed' | 'failed' | 'skipped' | 'not_run';
  attempts: number;
  durationMs: number;
  checkpointId: string | null;
}

export interface PipelineFailure {
  step: string;
  failureType: FailureType;
  strategy: Strategy;
  message: string;
}

export interface PipelineStatus {
  workflowId: string;
  pipeline: string;
  lane: Lane;
  /** The lane steps run in now: `lane` until an ESCALATE_LANE. */
  currentLane: Lane;
  status:
    | 'running'
    | 'waiting_for_operator'
    | 'completed'
    | 'failed'
    | 'rolled_back'
    | 'aborted'
    | 'budget_exceeded';
  currentStep: string | null;
  steps: PipelineStepReport[];
  failures: PipelineFailure[];
  /** Resumes from a checkpoint instead of from the start: what they saved. */
  resumes: Array<{
    step: string;
    fromCheckpoint: string;
    stepsNotRerun: number;
    timeSavedMs: number;
  }>;
  /** What the recovery strategies did (waits, resource checks, resets, auto-fixes, escalations). */
  actions: Array<{ step: string; strategy: Strategy; ok: boolean; detail: string }>;
  escalations: Array<{ step: string; from: Lane; to: Lane }>;
  /** The whole run's lane budget; time parked for an operator does not count. */
  budget: { lane: Lane; limitSec: number; usedSec: number; exceeded: boolean };
  /** Where a `--from-step` / `--from-checkpoint` run started. */
  startedFrom: { step: string; checkpointId: string | null } | null;
  /** The last good checkpoint: continue from it with `--from-checkpoint`. */
  lastCheckpointId: string | null;
}
