/** Builds the ratchet worker: every workflow and every activity on one task queue. */
import path from 'node:path';
import { type NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from '../activities';
import { faultInterceptor } from './faults/activityInterceptor';

/** ratchet's workflows file: the TypeScript source, or the compiled one in the package. */
export const WORKFLOWS_PATH = path.join(
  __dirname,
  '..',
  'workflows',
  __filename.endsWith('.ts') ? 'index.ts' : 'index.js',
);
/** Bundled with the workflows (pass to bundleWorkflowCode when pre-bundling). */
export const WORKFLOW_INTERCEPTOR_MODULES = [
  path.join(__dirname, 'faults', `workflowInterceptors${path.extname(__filename)}`),
  // Activity summaries and result-derived metrics.
  path.join(__dirname, '..', 'workflows', `interceptors${path.extname(__filename)}`),
  // Host routing: a run's host-bound activities go to its owner's queue (issue 14).
  path.join(__dirname, '..', 'workflows', `hostRouting${path.extname(__filename)}`),
];

export interface RatchetWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  activityDeps: Omit<ActivityDeps, 'taskQueue'>;
  /** Pre-bundled workflow code (tests bundle once per run); default: bundle from source. */
  workflowBundle?: WorkerOptions['workflowBundle'];
  /**
   * Your own workflows file, when the worker should run your workflows too; it
   * must re-export ratchet's (`export * from 'ratchet/workflows'`).
   * @default ratchet's own workflows ({@link WORKFLOWS_PATH})
   */
  workflowsPath?: string;
  /** Your own activities, registered beside ratchet's (same names override). */
  activities?: object;
  /** Extra options for tests (e.g. shorter shutdown grace). */
  overrides?: Partial<WorkerOptions>;
}

export async function createRatchetWorker(options: RatchetWorkerOptions): Promise<Worker> {
  // Interceptors given in overrides are added to ratchet's own, never replace them
  // (fault injection must survive a test's extra activity interceptor).
  const { interceptors: extra, ...overrides } = options.overrides ?? {};
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    activities: {
      ...createActivities({ ...options.activityDeps, taskQueue: options.taskQueue }),
      ...options.activities,
    },
    ...(options.workflowBundle
      ? { workflowBundle: options.workflowBundle }
      : { workflowsPath: options.workflowsPath ?? WORKFLOWS_PATH }),
    interceptors: {
      ...extra,
      activity: [faultInterceptor, ...(extra?.activity ?? [])],
      // A pre-built bundle carries its interceptor modules already.
      ...(options.workflowBundle
        ? {}
        : {
            workflowModules: [...WORKFLOW_INTERCEPTOR_MODULES, ...(extra?.workflowModules ?? [])],
          }),
    },
    ...overrides,
  });
}
