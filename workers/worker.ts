/** Builds the ratchet worker: every workflow and every activity on one task queue. */
import path from 'node:path';
import { type NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from '../activities';

export const WORKFLOWS_PATH = path.join(__dirname, '..', 'workflows', 'index.ts');
/** Activity summaries and result-derived metrics; a pre-built bundle must include it too. */
export const WORKFLOW_INTERCEPTOR_MODULES = [
  path.join(__dirname, '..', 'workflows', 'interceptors.ts'),
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
      : {
          workflowsPath: WORKFLOWS_PATH,
          interceptors: { workflowModules: WORKFLOW_INTERCEPTOR_MODULES },
        }),
    ...options.overrides,
  });
}
