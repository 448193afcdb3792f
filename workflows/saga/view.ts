/**
 * What a saga operation shows while it runs: the `ledger` query (steps and
 * every registered compensation with its live status), the run's current
 * details in the Web UI (the same data as Markdown), its search attributes
 * (state, cleanup completeness, whether a human is needed) and its outcome
 * counted in `ratchet_saga_operations_total`.
 */
import {
  defineQuery,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import { sagaDetails } from '../../domain/currentDetails';
import type { OperationOutcome, StepRecord } from '../../domain/operations';

export type { LiveOperation } from '../../domain/sagaLedger';
import type { LiveOperation, SagaLedger } from '../../domain/sagaLedger';
import {
  CLEANUP_COMPLETENESS_KEY,
  HUMAN_NEEDED_KEY,
  STATE_KEY,
} from '../../domain/searchAttributes';
import { count } from '../metrics';

export const ledgerQuery = defineQuery<LiveOperation>('ledger');

export class OperationView {
  private phase: LiveOperation['phase'] = 'running';
  private ledger: SagaLedger = { phase: 'running', entries: [] };
  private steps: () => { steps: StepRecord[]; current: string | null } = () => ({
    steps: [],
    current: null,
  });

  constructor(
    private readonly workflowId: string,
    private readonly operation: OperationOutcome['operation'],
    private readonly title: string,
  ) {
    setHandler(ledgerQuery, () => this.snapshot());
  }

  /** Where the steps come from (an OperationSteps, or the deletion's fixed list). */
  trackSteps(source: () => { steps: StepRecord[]; current: string | null }): void {
    this.steps = source;
  }

  /** Pass as the Saga's `onChange`. */
  readonly onLedger = (ledger: SagaLedger): void => {
    this.ledger = ledger;
    if (ledger.phase === 'compensating' && this.phase !== 'compensating') {
      this.phase = 'compensating';
      upsertSearchAttributes([{ key: STATE_KEY, value: 'compensating' }]);
    }
    this.refresh();
  };

  snapshot(): LiveOperation {
    const { steps, current } = this.steps();
    return {
      workflowId: this.workflowId,
      operation: this.operation,
      phase: this.phase,
      currentStep: current,
      steps: steps.map((s) => ({ ...s })),
      compensations: this.ledger.entries.map((e) => ({ ...e })),
    };
  }

  refresh(): void {
    const { steps, current } = this.steps();
    setCurrentDetails(
      sagaDetails({
        title: this.title,
        phase: current ? `${this.phase} · ${current}` : this.phase,
        steps,
        ledger: this.ledger.entries,
      }),
    );
  }

  /** finish() with an outcome's own status, returning it (for deletions). */
  finished(outcome: OperationOutcome): OperationOutcome {
    this.finish(outcome.status, outcome.cleanupCompleteness);
    return outcome;
  }

  /** The final state: search attributes, metric, details. */
  finish(status: OperationOutcome['status'], cleanupCompleteness: number): void {
    this.phase = status;
    const compensated = status !== 'completed';
    upsertSearchAttributes([{ key: STATE_KEY, value: status }]);
    if (compensated)
      upsertSearchAttributes([{ key: CLEANUP_COMPLETENESS_KEY, value: cleanupCompleteness }]);
    // Resources may be left behind: someone has to look.
    if (status === 'compensation_incomplete')
      upsertSearchAttributes([{ key: HUMAN_NEEDED_KEY, value: true }]);
    count('ratchet_saga_operations_total', { operation: this.operation, outcome: status });
    const { steps } = this.steps();
    setCurrentDetails(
      sagaDetails({
        title: this.title,
        phase: status,
        steps,
        ledger: this.ledger.entries,
        ...(compensated ? { cleanupCompleteness } : {}),
      }),
    );
  }
}
