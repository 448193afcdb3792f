/**
 * The live compensation ledger of a saga: every registered compensation with
 * where it is now — `pending` until compensation starts, `running` while its
 * activity runs, then its final status. Queried while an operation runs or
 * compensates (`ledger` query, `ratchet agent status ID`), and shown as the
 * run's current details in the Web UI.
 */
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
