/**
 * What `ratchet doctor` says about hosts (issue 14): whether this host's own
 * queue has a worker, and every host queue it can see — this host's, and
 * those of hosts owning running runs — with the workers polling each.
 */
import type { Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { hostQueue, WAITING_FOR_HOST_MEMO_KEY, type HostId } from '../domain/hosts';
import { HOST_KEY } from '../domain/searchAttributes';

const ACTIVITY = temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY;

/**
 * The server remembers a poller for minutes after it is gone; one that is
 * alive polls again at least every long-poll (about a minute), so older
 * than this means gone.
 */
const RECENT_POLL_MS = 90_000;

export interface QueuePollers {
  queue: string;
  /** Worker identities (`pid@hostname`) that polled recently. */
  pollers: string[];
}

function timestampMs(
  t: { seconds?: { toNumber(): number } | number | null; nanos?: number | null } | null | undefined,
): number {
  if (!t?.seconds) return 0;
  const seconds = typeof t.seconds === 'number' ? t.seconds : t.seconds.toNumber();
  return seconds * 1000 + Math.floor((t.nanos ?? 0) / 1e6);
}

export async function activityPollers(
  connection: Connection,
  namespace: string,
  queue: string,
): Promise<QueuePollers> {
  const { pollers } = await connection.workflowService.describeTaskQueue({
    namespace,
    taskQueue: { name: queue },
    taskQueueType: ACTIVITY,
  });
  const now = Date.now();
  return {
    queue,
    pollers: (pollers ?? [])
      .filter((p) => now - timestampMs(p.lastAccessTime) < RECENT_POLL_MS)
      .map((p) => p.identity ?? '?'),
  };
}

interface OwnedRuns {
  running: number;
  /** Runs parked because none of this host's workers took their work (workflows/hostRouting.ts). */
  waiting: number;
}

/** Hosts that own running runs, with how many each and how many wait for it (visibility; bounded). */
export async function hostsOwningRunningRuns(
  connection: Connection,
  namespace: string,
  limit = 500,
): Promise<Map<HostId, OwnedRuns>> {
  const owners = new Map<HostId, OwnedRuns>();
  let nextPageToken: Uint8Array | undefined;
  let seen = 0;
  do {
    const page = await connection.workflowService.listWorkflowExecutions({
      namespace,
      query: `${HOST_KEY.name} IS NOT NULL AND ExecutionStatus = 'Running'`,
      pageSize: 100,
      nextPageToken,
    });
    for (const run of page.executions ?? []) {
      const payload = run.searchAttributes?.indexedFields?.[HOST_KEY.name];
      const host = payload?.data
        ? (JSON.parse(Buffer.from(payload.data).toString()) as unknown)
        : null;
      if (typeof host === 'string') {
        const runs = owners.get(host) ?? { running: 0, waiting: 0 };
        runs.running++;
        if (run.memo?.fields?.[WAITING_FOR_HOST_MEMO_KEY]) runs.waiting++;
        owners.set(host, runs);
      }
      seen++;
    }
    nextPageToken = page.nextPageToken?.length ? page.nextPageToken : undefined;
  } while (nextPageToken && seen < limit);
  return owners;
}

/** The `host-queue` check: this host's queue has a worker. */
export async function ownHostQueueDetail(
  connection: Connection,
  namespace: string,
  sharedQueue: string,
  hostId: HostId,
): Promise<string> {
  const { queue, pollers } = await activityPollers(
    connection,
    namespace,
    hostQueue(sharedQueue, hostId),
  );
  if (!pollers.length) {
    throw new Error(
      `no worker polls "${queue}" (start \`ratchet worker --host ${hostId}\` on this host)`,
    );
  }
  return `host ${hostId}: ${pollers.length} poller(s) on "${queue}" (${pollers.join(', ')})`;
}

/** The `hosts` check: every host queue seen; fails when runs wait for a host that has no worker. */
export async function hostsDetail(
  connection: Connection,
  namespace: string,
  sharedQueue: string,
  hostId: HostId,
): Promise<string> {
  const owners = await hostsOwningRunningRuns(connection, namespace);
  const hosts = [...new Set([hostId, ...owners.keys()])].sort();
  const lines: string[] = [];
  const stranded: string[] = [];
  for (const host of hosts) {
    const { queue, pollers } = await activityPollers(
      connection,
      namespace,
      hostQueue(sharedQueue, host),
    );
    const runs = owners.get(host) ?? { running: 0, waiting: 0 };
    lines.push(
      `${host}${host === hostId ? ' (this host)' : ''}: ${pollers.length ? pollers.join(', ') : 'no worker'} on ${queue}, ${runs.running} running run(s)`,
    );
    // Parked runs are the proof: a poller the server still lists may be gone for a minute.
    if (runs.waiting > 0) stranded.push(`${host} (${runs.waiting} run(s) wait for it)`);
  }
  if (stranded.length) throw new Error(`no worker for ${stranded.join(', ')}; ${lines.join('; ')}`);
  return lines.join('; ');
}
