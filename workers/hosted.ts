/**
 * A worker process on one host of a cluster (issue 14): two Workers on one
 * connection. The shared queue runs the workflows and the activities any
 * host may run; the host queue (`<taskQueue>@<hostId>`, domain/hosts.ts)
 * runs only this host's activities — those of runs this host owns.
 *
 * The shared Worker still registers every activity: a run started without an
 * owner (before host routing existed, or by a client that sets none) keeps
 * working exactly as before instead of waiting forever for a handler.
 */
import { Worker } from '@temporalio/worker';
import { createActivities } from '../activities';
import { hostQueue, type HostId } from '../domain/hosts';
import { faultInterceptor } from './faults/activityInterceptor';
import { createRatchetWorker, type RatchetWorkerOptions } from './worker';

export interface HostedWorkerOptions extends RatchetWorkerOptions {
  /** This host's id: the runs it owns send their local work to its queue. */
  hostId: HostId;
}

export interface HostedWorkers {
  hostId: HostId;
  sharedQueue: string;
  hostQueue: string;
  shared: Worker;
  host: Worker;
  /** Runs both until either stops (a signal, shutdown(), or a fatal error), then stops the other. */
  run(): Promise<void>;
  shutdown(): void;
}

export async function createHostedWorkers(options: HostedWorkerOptions): Promise<HostedWorkers> {
  const queue = hostQueue(options.taskQueue, options.hostId);
  const { interceptors: extra, ...overrides } = options.overrides ?? {};
  const shared = await createRatchetWorker(options);
  const host = await Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: queue,
    activities: {
      ...createActivities({ ...options.activityDeps, taskQueue: queue }),
      ...options.activities,
    },
    interceptors: { activity: [faultInterceptor, ...(extra?.activity ?? [])] },
    ...overrides,
  });
  const stopBoth = () => {
    for (const w of [shared, host]) if (w.getState() === 'RUNNING') w.shutdown();
  };
  return {
    hostId: options.hostId,
    sharedQueue: options.taskQueue,
    hostQueue: queue,
    shared,
    host,
    async run() {
      const runs = [shared.run(), host.run()].map((p) => p.finally(stopBoth));
      const results = await Promise.allSettled(runs);
      const failed = results.find((r) => r.status === 'rejected');
      if (failed?.status === 'rejected') throw failed.reason;
    },
    shutdown: stopBoth,
  };
}
