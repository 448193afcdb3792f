/**
 * Workflow interceptors the worker installs (workers/worker.ts, and the test
 * bundle): every activity gets a summary in the domain's words unless its
 * call site wrote one (and every timer at least its duration), and metrics that follow from an activity's result are
 * counted here, once, from workflow code (not re-counted on replay):
 * checkpoints created and breaking changes found, by module.
 */
import type {
  ActivityInput,
  Next,
  TimerInput,
  WorkflowInterceptors,
  WorkflowOutboundCallsInterceptor,
} from '@temporalio/workflow';
import { activitySummary } from '../domain/activitySummaries';
import { count } from './metrics';

type Args = Record<string, unknown>;

function countOutcome(activityType: string, args: readonly unknown[], result: unknown): void {
  const input = (args[0] ?? {}) as Args;
  const out = (result ?? {}) as Args;
  if (activityType === 'createCheckpoint' && typeof out.version === 'string')
    count('ratchet_version_checkpoints_total', { module_id: String(input.moduleId) });
  if (activityType === 'assessCompatibility' && out.level === 'BREAKING')
    count('ratchet_version_breaking_changes_total', { module_id: String(input.moduleId) });
}

class ActivityObserver implements WorkflowOutboundCallsInterceptor {
  async scheduleActivity(
    input: ActivityInput,
    next: Next<WorkflowOutboundCallsInterceptor, 'scheduleActivity'>,
  ): Promise<unknown> {
    const options = input.options.summary
      ? input.options
      : { ...input.options, summary: activitySummary(input.activityType, input.args) };
    const result = await next({ ...input, options });
    countOutcome(input.activityType, input.args, result);
    return result;
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
