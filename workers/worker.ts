/** Builds the ratchet worker: every workflow and every activity on one task queue. */
import path from 'node:path';
import { type NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from '../activities';
import { faultInterceptor } from './faults/activityInterceptor';

export const WORKFLOWS_PATH = path.join(__dirname, '..', 'workflows', 'index.ts');
/** Bundled with the workflows (pass to bundleWorkflowCode when pre-bundling). */
export const WORKFLOW_INTERCEPTOR_MODULES = [
  path.join(__dirname, 'faults', 'workflowInterceptors.ts'),
];

export interface RatchetWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  activityDeps: Omit<ActivityDeps, 'taskQueue'>;
  /** Pre-bundled workflow code (tests bundle once per run); default: bundle from source. */
  workflowBundle?: WorkerOptions['workflowBundle'];
  /** Extra options for tests (e.g. shorter shutdown grace). */
  overrides?: Partial<WorkerOptions>;
}

export async function createRatchetWorker(options: RatchetWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    activities: createActivities({ ...options.activityDeps, taskQueue: options.taskQueue }),
    ...(options.workflowBundle
      ? { workflowBundle: options.workflowBundle }
      : { workflowsPath: WORKFLOWS_PATH }),
    interceptors: {
      activity: [faultInterceptor],
      // A pre-built bundle carries its interceptor modules already.
      ...(options.workflowBundle ? {} : { workflowModules: WORKFLOW_INTERCEPTOR_MODULES }),
    },
    ...options.overrides,
  });
}
