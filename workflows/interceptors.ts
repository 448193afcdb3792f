/**
 * Workflow interceptors the worker installs (workers/worker.ts, and the test
 * bundle): every activity gets a summary in the domain's words unless its
 * call site wrote one, and metrics that follow from an activity's result are
 * counted here, once, from workflow code (not re-counted on replay):
 * checkpoints created and breaking changes found, by module.
 */
import type {
  ActivityInput,
  Next,
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
}

export const interceptors = (): WorkflowInterceptors => ({
  outbound: [new ActivityObserver()],
});
