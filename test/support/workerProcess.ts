/**
 * THE launcher of a ratchet worker in its own process (test/support/workerMain.ts),
 * for tests and benchmarks that SIGKILL a worker mid-run and start another.
 * `startWorker` needs no vitest context (benchmarks use it); `startWorkerProcess`
 * fills in the run's test server and workflow bundle from vitest.
 * Faults reach the worker through the fault-plan header (domain/faults.ts),
 * not through its environment.
 */
import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import { execaModule } from '../../activities/infra/execa';

const ROOT = path.join(__dirname, '..', '..');

export interface WorkerProcess {
  child: ChildProcess;
  /** Resolves when the process has exited (killed by a fault plan, by the test, or stopped). */
  exited: Promise<void>;
  /** SIGKILL: no graceful shutdown, in-flight activities are lost mid-way. */
  kill(): Promise<void>;
  stop(): Promise<void>;
}
/** The same thing under the name the reliability tests and benchmarks use. */
export type KillableWorker = WorkerProcess;

export interface WorkerSpec {
  address: string;
  bundlePath: string;
  taskQueue: string;
  dataDir: string;
  /** Extra environment for the worker (e.g. settings the activities read). */
  env?: Record<string, string>;
}

export async function startWorker(spec: WorkerSpec): Promise<WorkerProcess> {
  const { execa } = await execaModule();
  const child = execa(
    process.execPath,
    [path.join(ROOT, 'bin', 'run-ts.js'), path.join(ROOT, 'test', 'support', 'workerMain.ts')],
    {
      cwd: ROOT,
      env: {
        ...spec.env,
        RATCHET_TEST_ADDRESS: spec.address,
        RATCHET_TEST_TASK_QUEUE: spec.taskQueue,
        RATCHET_TEST_DATA_DIR: spec.dataDir,
        RATCHET_TEST_BUNDLE: spec.bundlePath,
      },
      stdin: 'ignore',
      stdout: 'pipe',
      stderr: 'inherit',
      reject: false, // a SIGKILLed worker is the point, not an error
    },
  );
  const exited = child.then(() => undefined);
  await new Promise<void>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('worker-ready')) resolve();
    });
    void exited.then(() =>
      reject(new Error(`worker process exited ${child.exitCode} before it was ready`)),
    );
  });
  const running = () => child.exitCode === null && child.signalCode === null;
  return {
    child,
    exited,
    async kill() {
      if (running()) child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      if (running()) child.kill('SIGTERM');
      await exited;
    },
  };
}

/** A worker process on the vitest run's test server (test/globalSetup.ts). */
export async function startWorkerProcess(
  taskQueue: string,
  dataDir: string,
  extraEnv: Record<string, string> = {},
): Promise<WorkerProcess> {
  // Loaded here so that benchmarks can import this module outside vitest.
  const { inject } = await import('vitest');
  return startWorker({
    address: inject('temporalAddress'),
    bundlePath: inject('workflowBundlePath'),
    taskQueue,
    dataDir,
    env: extraEnv,
  });
}
