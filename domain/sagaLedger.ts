/**
 * The live compensation ledger of a saga: every registered compensation with
 * where it is now — `pending` until compensation starts, `running` while its
 * activity runs, then its final status. Queried while an operation runs or
 * compensates (`ledger` query, `ratchet agent status ID`), and shown as the
 * run's current details in the Web UI.
 */
import type { OperationOutcome, StepRecord } from './operations';
import type { CompensationStatus } from './saga';

export type LedgerStatus = 'pending' | 'running' | CompensationStatus;

export interface LedgerEntry {
  actionType: string;
  resourceId: string;
  description: string;
  priority: number;
  status: LedgerStatus;
  attempts: number;
  durationMs: number;
  error: string | null;
}

export interface SagaLedger {
  /** `running`: steps are running; `compensating`; `done`: completed or compensated. */
  phase: 'running' | 'compensating' | 'done';
  entries: LedgerEntry[];
}

/** What the `ledger` query returns: the operation's steps and its live ledger. */
export interface LiveOperation {
  workflowId: string;
  operation: OperationOutcome['operation'];
  /** `running` steps, `compensating`, or the final status. */
  phase: 'running' | 'compensating' | OperationOutcome['status'];
  currentStep: string | null;
  steps: StepRecord[];
  compensations: LedgerEntry[];
}
