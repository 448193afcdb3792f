/**
 * Workflow interceptor module (bundled with the workflows): carries a run's
 * fault plan header (domain/faults.ts) from the workflow start onto every
 * activity the run schedules, every child workflow it starts (an evolution
 * cycle's iterations) and its continuation after continue-as-new, so one plan
 * reaches every step of an operation. Without the header it does nothing.
 */
import type {
  ActivityInput,
  ContinueAsNewInput,
  LocalActivityInput,
  Next,
  StartChildWorkflowExecutionInput,
  WorkflowExecuteInput,
  WorkflowInboundCallsInterceptor,
  WorkflowInterceptors,
  WorkflowOutboundCallsInterceptor,
} from '@temporalio/workflow';
import type { Headers, Payload } from '@temporalio/common';
import { FAULT_HEADER } from '../../domain/faults';

export const interceptors = (): WorkflowInterceptors => {
  let plan: Payload | undefined; // one per workflow run: the factory runs per run
  const carry = <T extends { headers: Headers }>(input: T): T =>
    plan ? { ...input, headers: { ...input.headers, [FAULT_HEADER]: plan } } : input;
  const inbound: WorkflowInboundCallsInterceptor = {
    async execute(
      input: WorkflowExecuteInput,
      next: Next<WorkflowInboundCallsInterceptor, 'execute'>,
    ) {
      plan = input.headers[FAULT_HEADER];
      return next(input);
    },
  };
  const outbound: WorkflowOutboundCallsInterceptor = {
    async scheduleActivity(
      input: ActivityInput,
      next: Next<WorkflowOutboundCallsInterceptor, 'scheduleActivity'>,
    ) {
      return next(carry(input));
    },
    async scheduleLocalActivity(
      input: LocalActivityInput,
      next: Next<WorkflowOutboundCallsInterceptor, 'scheduleLocalActivity'>,
    ) {
      return next(carry(input));
    },
    async startChildWorkflowExecution(
      input: StartChildWorkflowExecutionInput,
      next: Next<WorkflowOutboundCallsInterceptor, 'startChildWorkflowExecution'>,
    ) {
      return next(carry(input));
    },
    async continueAsNew(
      input: ContinueAsNewInput,
      next: Next<WorkflowOutboundCallsInterceptor, 'continueAsNew'>,
    ) {
      return next(carry(input));
    },
  };
  return { inbound: [inbound], outbound: [outbound] };
};
