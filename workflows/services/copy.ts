/**
 * One running copy of a module's service, as its own workflow
 * (`service-<module>-<slot>`): it runs the supervisor activity until the copy
 * is stopped (stopServiceCopy), crash-loops past its budget, or is cancelled.
 * Copies outlive the swap or cycle that started them (parent close policy
 * ABANDON), so a short swap can hand the running service to whoever is next.
 */
import {
  ApplicationFailure,
  CancellationScope,
  isCancellation,
  ParentClosePolicy,
  startChild,
  workflowInfo,
} from '@temporalio/workflow';
import type { SuperviseInput } from '../../activities/services/supervisor';
import { copyWorkflowId } from '../../domain/services/copies';
import { services, supervisor } from './activities';

export type CopyInput = SuperviseInput;

export interface CopyEnd {
  ended: 'stopped' | 'crash_looping' | 'cancelled';
  detail: string;
}

/** What a swap or the serve workflow keeps about a copy it started. */
export interface CopyRef {
  workflowId: string;
  slot: string;
  version: string;
  cwd: string;
  port: number | null;
}

// Named in domain/ (the janitor maps a copy's processes back to it).
export { copyWorkflowId };

export async function serviceCopy(input: CopyInput): Promise<CopyEnd> {
  try {
    await supervisor.superviseService(input);
    return { ended: 'stopped', detail: `${input.version} stopped` };
  } catch (err) {
    if (isCancellation(err)) {
      await CancellationScope.nonCancellable(() =>
        services.stopServiceCopy({ moduleId: input.moduleId, slot: input.slot }),
      );
      return { ended: 'cancelled', detail: `${input.version} stopped (cancelled)` };
    }
    const cause = (err as { cause?: unknown }).cause;
    if (cause instanceof ApplicationFailure && cause.type === 'ServiceCrashLooping')
      return { ended: 'crash_looping', detail: cause.message };
    throw err;
  }
}

/** Starts a copy as an abandoned child; resolves once it is started. */
export async function startCopy(input: CopyInput): Promise<CopyRef> {
  const workflowId = copyWorkflowId(input.moduleId, input.slot);
  await startChild(serviceCopy, {
    workflowId,
    args: [input],
    parentClosePolicy: ParentClosePolicy.ABANDON,
    taskQueue: workflowInfo().taskQueue,
  });
  return {
    workflowId,
    slot: input.slot,
    version: input.version,
    cwd: input.cwd,
    port: input.port,
  };
}

/** Stops a copy and waits until its process group is gone (idempotent). */
export async function stopCopy(moduleId: string, copy: CopyRef): Promise<void> {
  await services.stopServiceCopy({ moduleId, slot: copy.slot });
}
