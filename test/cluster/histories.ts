/**
 * The cluster test's proof of routing, read from the server's own record: for
 * every run, every activity it scheduled went to the task queue of the host
 * that owns the run, and was started by a worker of that host — never by the
 * other host, whichever queue it polls.
 */
import type { Client } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';

export interface RunRecord {
  workflowId: string;
  runId: string;
  type: string;
  status: string;
  owner: string | undefined;
  activities: ActivityRecord[];
}

export interface ActivityRecord {
  type: string;
  queue: string;
  /** The worker that ran the last attempt (none if it never started). */
  identity: string | undefined;
  attempt: number | undefined;
}

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

/** Activities of one history: scheduled queue, and who started the last attempt. */
export function activitiesOf(events: HistoryEvent[]): ActivityRecord[] {
  const scheduled = new Map<string, ActivityRecord>();
  for (const e of events) {
    const s = e.activityTaskScheduledEventAttributes;
    if (s) {
      scheduled.set(String(e.eventId), {
        type: s.activityType?.name ?? '?',
        queue: s.taskQueue?.name ?? '?',
        identity: undefined,
        attempt: undefined,
      });
    }
    const st = e.activityTaskStartedEventAttributes;
    if (st) {
      const rec = scheduled.get(String(st.scheduledEventId));
      if (rec) {
        rec.identity = st.identity ?? undefined;
        rec.attempt = st.attempt ?? undefined;
      }
    }
  }
  return [...scheduled.values()];
}

/** Every run in the namespace (closed or not), with its owner and its activities. */
export async function readRuns(
  client: Client,
  ownerOf: (memo: Record<string, unknown> | undefined) => string | undefined,
): Promise<RunRecord[]> {
  const runs: RunRecord[] = [];
  for await (const wf of client.workflow.list()) {
    const history = await client.workflow.getHandle(wf.workflowId, wf.runId).fetchHistory();
    runs.push({
      workflowId: wf.workflowId,
      runId: wf.runId,
      type: wf.type,
      status: wf.status.name,
      owner: ownerOf(wf.memo),
      activities: activitiesOf(history.events ?? []),
    });
  }
  return runs;
}

/**
 * What broke routing, in words: a run with no owner, a host-bound activity
 * scheduled on another queue, or started by a worker that is not its owner's.
 */
export function routingViolations(
  runs: RunRecord[],
  options: {
    hostQueue: (hostId: string) => string;
    identitiesOf: (hostId: string) => ReadonlySet<string>;
    isHostBound: (activityType: string) => boolean;
  },
): string[] {
  const out: string[] = [];
  for (const run of runs) {
    if (!run.owner) {
      out.push(`${run.workflowId}: no owner recorded`);
      continue;
    }
    const queue = options.hostQueue(run.owner);
    const mine = options.identitiesOf(run.owner);
    for (const a of run.activities) {
      if (!options.isHostBound(a.type)) continue;
      if (a.queue !== queue)
        out.push(`${run.workflowId}: ${a.type} scheduled on ${a.queue}, owner ${run.owner}`);
      if (a.identity !== undefined && !mine.has(a.identity)) {
        out.push(`${run.workflowId}: ${a.type} ran on ${a.identity}, not a worker of ${run.owner}`);
      }
    }
  }
  return out;
}
