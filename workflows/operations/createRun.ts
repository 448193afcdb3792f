/**
 * One create operation's moving parts, shared by agent and session creation:
 * its view (ledger query, current details), its saga, its steps, the outcome
 * it published, and its two endings — completed, or compensated and proven.
 */
import type { AgentActivities } from '../../activities/agents';
import type { OperationOutcome } from '../../domain/operations';
import type { OperationSnapshot } from '../../domain/operationSnapshot';
import { Saga } from '../saga/engine';
import { OperationSteps } from '../saga/operation';
import { OperationView } from '../saga/view';
import { compensationTimeoutMs, type OperationBase } from './common';
import { compensateAndReport } from './compensate';

export interface CreateRunSpec {
  base: OperationBase;
  /** The agent's or session's id: every compensation's resource. */
  subjectId: string;
  stepTimeoutMs: number;
  title: string;
  steps: readonly string[];
  parallelCompensation?: boolean;
}

export class CreateRun {
  published: OperationOutcome | null = null;
  readonly view: OperationView;
  readonly saga: Saga;
  readonly op: OperationSteps;

  constructor(private readonly spec: CreateRunSpec) {
    const { base } = spec;
    this.view = new OperationView(base.workflowId, base.operation, spec.title);
    this.saga = new Saga({
      parallelEqualPriority: spec.parallelCompensation,
      onChange: this.view.onLedger,
    });
    this.op = new OperationSteps(spec.steps, () => this.view.refresh());
    this.view.trackSteps(() => ({ steps: this.op.steps, current: this.op.current }));
  }

  /** Registers a compensation of the subject (call it before the step it undoes). */
  undo(
    actionType: string,
    priority: number,
    activity: keyof AgentActivities,
    args: object,
    description: string,
  ): void {
    this.saga.register({
      actionType,
      resourceId: this.spec.subjectId,
      priority,
      activity,
      args: [args],
      description,
      startToCloseTimeout: compensationTimeoutMs(this.spec.stepTimeoutMs),
    });
  }

  /** Every step succeeded: nothing to undo any more. */
  completed(): OperationOutcome {
    this.saga.clear();
    this.published = {
      ...this.spec.base,
      status: 'completed',
      failedStep: null,
      error: null,
      steps: this.op.steps,
      compensations: [],
      cleanupCompleteness: 100,
      registryDrift: [],
    };
    this.view.finish('completed', 100);
    return this.published;
  }

  /** A step failed or the run was cancelled: compensate, prove it, fail the run with the outcome. */
  failed(
    err: unknown,
    before: OperationSnapshot,
    startedPids: () => Array<number | null>,
  ): Promise<never> {
    return compensateAndReport(
      err,
      this.saga,
      this.op,
      this.spec.base,
      before,
      startedPids,
      (o) => {
        this.published = o;
        this.view.finish(o.status, o.cleanupCompleteness);
      },
    );
  }
}
