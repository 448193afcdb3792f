/** Typed client functions for the janitor: run it once, or keep it on a schedule. */
import { ScheduleAlreadyRunning, type Client } from '@temporalio/client';
import {
  JANITOR_INTERVAL,
  JANITOR_SCHEDULE_ID,
  JanitorInput,
  type JanitorReport,
} from '../domain/janitor';
import { HOST_MEMO_KEY, HostOwner } from '../domain/hosts';
import { HOST_KEY } from '../domain/searchAttributes';
import { janitor } from '../workflows/janitor';

export async function runJanitor(
  client: Client,
  taskQueue: string,
  raw: Partial<JanitorInput> = {},
): Promise<JanitorReport> {
  const input = JanitorInput.parse(raw);
  return client.workflow.execute(janitor, {
    taskQueue,
    workflowId: `janitor-${input.dryRun ? 'dry-run-' : ''}${Date.now().toString(36)}`,
    args: [input],
    staticSummary: input.dryRun
      ? 'find what no live workflow owns'
      : 'remove what no live workflow owns',
  });
}

/**
 * The `ratchet-janitor` schedule: the janitor every few minutes. `ratchet dev`
 * creates it; on a cluster, create it once the same way (see README). Returns
 * false when it already existed.
 */
export async function ensureJanitorSchedule(
  client: Client,
  taskQueue: string,
  /** The host whose data dir it cleans: one schedule per host, `ratchet-janitor@<host>` (issue 14). */
  owner?: HostOwner,
): Promise<boolean> {
  try {
    await client.schedule.create({
      scheduleId: owner ? `${JANITOR_SCHEDULE_ID}@${owner.id}` : JANITOR_SCHEDULE_ID,
      spec: { intervals: [{ every: JANITOR_INTERVAL }] },
      action: {
        type: 'startWorkflow',
        workflowType: janitor,
        taskQueue,
        args: [JanitorInput.parse({})],
        // Schedules start runs without the client's interceptors: the owner is written here.
        ...(owner && {
          memo: { [HOST_MEMO_KEY]: HostOwner.parse(owner) },
          typedSearchAttributes: [{ key: HOST_KEY, value: owner.id }],
        }),
      },
      policies: { overlap: 'SKIP' },
    });
    return true;
  } catch (err) {
    if (err instanceof ScheduleAlreadyRunning) return false;
    throw err;
  }
}
