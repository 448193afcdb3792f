/**
 * Workflow interceptors the worker installs (workers/worker.ts, and the test
 * bundle): every activity gets a summary in the domain's words unless its
 * call site wrote one (and every timer at least its duration).
 */
import type {
  ActivityInput,
  Next,
  TimerInput,
  WorkflowInterceptors,
  WorkflowOutboundCallsInterceptor,
} from '@temporalio/workflow';
import { activitySummary } from '../domain/activitySummaries';

class ActivityObserver implements WorkflowOutboundCallsInterceptor {
  async scheduleActivity(
    input: ActivityInput,
    next: Next<WorkflowOutboundCallsInterceptor, 'scheduleActivity'>,
  ): Promise<unknown> {
    const options = input.options.summary
      ? input.options
      : { ...input.options, summary: activitySummary(input.activityType, input.args) };
    return next({ ...input, options });
  }

  /** A timer nobody described still says how long it waits (call sites say why). */
  async startTimer(
    input: TimerInput,
    next: Next<WorkflowOutboundCallsInterceptor, 'startTimer'>,
  ): Promise<void> {
    if (input.options?.summary) return next(input);
    return next({
      ...input,
      options: { ...input.options, summary: `wait ${waitText(input.durationMs)}` },
    });
  }
}

function waitText(ms: number): string {
  if (ms < 1000) return `${ms} ms`;
  if (ms < 120_000) return `${Math.round(ms / 100) / 10} s`;
  if (ms < 7_200_000) return `${Math.round(ms / 60_000)} min`;
  return `${Math.round(ms / 360_000) / 10} h`;
}

export const interceptors = (): WorkflowInterceptors => ({
  outbound: [new ActivityObserver()],
});
