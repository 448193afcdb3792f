/**
 * Workflow interceptor module (bundled with the workflows): carries a run's
 * fault plan header (domain/faults.ts) from the workflow start onto every
 * activity the run schedules. Without the header it does nothing.
 */
import type {
  ActivityInput,
  Next,
  WorkflowExecuteInput,
  WorkflowInboundCallsInterceptor,
  WorkflowInterceptors,
  WorkflowOutboundCallsInterceptor,
} from '@temporalio/workflow';
import type { Payload } from '@temporalio/common';
import { FAULT_HEADER } from '../../domain/faults';

export const interceptors = (): WorkflowInterceptors => {
  let plan: Payload | undefined; // one per workflow run: the factory runs per run
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
      return next(plan ? { ...input, headers: { ...input.headers, [FAULT_HEADER]: plan } } : input);
    },
  };
  return { inbound: [inbound], outbound: [outbound] };
};
