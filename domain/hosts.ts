/**
 * Host routing (issue 14): which host owns a run, and which task queue its
 * work goes to. A run's owner is recorded when it starts (memo + the
 * RatchetHost search attribute); every activity that touches something local
 * to a host — a workspace, the checkpoint store, a process, a worktree, the
 * registry, the data dir — goes to that host's own queue, so nothing ever
 * runs against a workspace from another machine. The few activities that
 * touch nothing local stay on the shared queue, listed here by name: an
 * activity added later is host-bound until someone lists it as shared.
 */
import { z } from 'zod';
import { DEFAULT_HOST_WAIT_MS, HOST_ID_MESSAGE, HOST_ID_PATTERN } from './hostId';

export { DEFAULT_HOST_WAIT_MS };

/** A host id: safe in a task queue name, a search attribute and a file name. */
export const HostId = z.string().regex(HOST_ID_PATTERN, HOST_ID_MESSAGE);
export type HostId = z.infer<typeof HostId>;

/** The memo key under which a run records its owner (and how long its activities wait for it). */
export const HOST_MEMO_KEY = 'ratchetHost';
/** Set on a run while one of its activities waits for its owner's worker; removed when it starts. */
export const WAITING_FOR_HOST_MEMO_KEY = 'ratchetWaitingForHost';

export const HostOwner = z
  .object({
    id: HostId,
    /** How long a host-bound activity waits for a worker of its host before the run parks. */
    waitForHostMs: z.number().int().positive(),
  })
  .strict();
export type HostOwner = z.infer<typeof HostOwner>;

/** The queue only `hostId`'s worker polls, derived from the shared queue: `ratchet@<hostId>`. */
export function hostQueue(sharedQueue: string, hostId: HostId): string {
  return `${sharedQueue}@${hostId}`;
}

/** Host queues of a shared queue, recognised by name (doctor lists them). */
export function hostOfQueue(sharedQueue: string, queue: string): HostId | null {
  const prefix = `${sharedQueue}@`;
  if (!queue.startsWith(prefix)) return null;
  const id = queue.slice(prefix.length);
  return HostId.safeParse(id).success ? id : null;
}

/**
 * Activities that read or write nothing on the host they run on, so any
 * worker may run them. Everything else is host-bound.
 */
export const SHARED_ACTIVITIES: ReadonlySet<string> = new Set([
  // Reports which worker answered: the health check asks the shared queue on purpose.
  'reportWorkerHealth',
]);

export function isHostBound(activityType: string): boolean {
  return !SHARED_ACTIVITIES.has(activityType);
}

/** The owner recorded in a run's memo; undefined for a run started without one (routed as before). */
export function ownerFromMemo(memo: Record<string, unknown> | undefined): HostOwner | undefined {
  const parsed = HostOwner.safeParse(memo?.[HOST_MEMO_KEY]);
  return parsed.success ? parsed.data : undefined;
}

/**
 * A stable default host id from the machine's hostname and the data dir: two
 * workers on one machine with different data dirs are different hosts, and a
 * restart of the same one is the same host. `digest` is a hex hash of the
 * data dir (computed by the caller: this module stays free of Node APIs).
 */
export function defaultHostId(hostname: string, dataDirDigest: string): HostId {
  const name =
    hostname
      .toLowerCase()
      .replace(/[^a-z0-9.-]+/g, '-')
      .replace(/^[^a-z0-9]+/, '')
      .slice(0, 50) || 'host';
  return `${name}-${dataDirDigest.slice(0, 8)}`;
}

/** Why an activity is waiting, in the words status output and logs use. */
export function waitingForHostText(hostId: HostId, queue: string, waitedMs: number): string {
  return `waiting for host ${hostId}: no worker picked up its work on ${queue} within ${Math.round(waitedMs / 1000)} s (start \`ratchet worker --host ${hostId}\` there)`;
}
