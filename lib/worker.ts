/**
 * `ratchet/worker` — register ratchet's workflows and activities on your own
 * worker, with your own connection and task queue.
 *
 *   import { NativeConnection } from '@temporalio/worker';
 *   import { createRatchetWorker } from 'ratchet/worker';
 *   const connection = await NativeConnection.connect({ address: 'localhost:7233' });
 *   const worker = await createRatchetWorker({
 *     connection, namespace: 'default', taskQueue: 'my-queue',
 *     activityDeps: { dataDir: '/var/lib/ratchet' },
 *     // optional: your workflows file (re-exporting 'ratchet/workflows') and activities
 *     workflowsPath: require.resolve('./workflows'), activities: myActivities,
 *   });
 *   await worker.run();
 */
export { createRatchetWorker, WORKFLOWS_PATH, type RatchetWorkerOptions } from '../workers/worker';
export { createActivities, type Activities, type ActivityDeps } from '../activities';
export { installRuntime } from '../workers/runtime';
export { ensureSearchAttributes } from '../client/admin';
// Host routing (issue 14): a worker serving the shared queue and its host's own.
export {
  createHostedWorkers,
  type HostedWorkers,
  type HostedWorkerOptions,
} from '../workers/hosted';
