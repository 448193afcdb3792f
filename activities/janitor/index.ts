/** The janitor's activities: the scan, and the two removals no saga step already offers. */
import { activityInfo, ApplicationFailure, Context } from '@temporalio/activity';
import type { Orphan } from '../../domain/janitor';
import { removeStaleLock } from '../infra/locks';
import { stopProcess, type StopResult } from '../infra/processes';
import { janitorLocks, scanOrphans } from './scan';
import { removeServiceCopyFiles, removeServiceRelease } from './serviceRemovals';

/** Running workflow ids, from the server's visibility store. */
async function runningWorkflowIds(): Promise<Set<string>> {
  const ids = new Set<string>();
  const client = Context.current().client;
  for await (const wf of client.workflow.list({ query: 'ExecutionStatus="Running"' })) {
    ids.add(wf.workflowId);
  }
  return ids;
}

export const createJanitorActivities = (deps: { dataDir: string }) => ({
  async janitorScan(input: { minAgeMs: number }): Promise<Orphan[]> {
    const running = await runningWorkflowIds();
    running.add(activityInfo().workflowExecution?.workflowId ?? '');
    return scanOrphans({ dataDir: deps.dataDir, running, minAgeMs: input.minAgeMs });
  },
  /** Stops a tagged process only while it still carries its owner's tag. */
  async stopOrphanProcess(input: {
    pid: number;
    owner: string;
  }): Promise<{ skipped: true } | { stopped: StopResult }> {
    const result = await stopProcess(input.pid, input.owner);
    return result === 'not_running' ? { skipped: true } : { stopped: result };
  },
  /** A service copy's record, log and stop marker, once its copy workflow is not running. */
  removeServiceCopyFiles: (input: { moduleId: string; slot: string }) =>
    removeServiceCopyFiles(deps.dataDir, runningWorkflowIds, input),
  /** A released version of a module none of whose workflows runs. */
  removeServiceRelease: (input: { moduleId: string; version: string }) =>
    removeServiceRelease(deps.dataDir, runningWorkflowIds, input),
  /** Removes one of ratchet's own lock directories, and only while it is stale. */
  async removeStaleLockDir(input: { lock: string }): Promise<{ skipped: true } | void> {
    if (!janitorLocks(deps.dataDir).includes(input.lock)) {
      throw ApplicationFailure.create({
        type: 'UnsafeCleanupTarget',
        message: `refusing to remove ${input.lock}: not one of ratchet's locks under ${deps.dataDir}`,
        nonRetryable: true,
      });
    }
    if (!(await removeStaleLock(input.lock))) return { skipped: true };
  },
});
