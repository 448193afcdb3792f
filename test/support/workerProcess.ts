/** Start and kill a worker process (test/support/workerMain.ts) on the run's test server. */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { inject } from 'vitest';

export interface WorkerProcess {
  child: ChildProcess;
  /** SIGKILL: no graceful shutdown, in-flight activities are lost mid-way. */
  kill(): Promise<void>;
  stop(): Promise<void>;
}

const ROOT = path.join(__dirname, '..', '..');

export async function startWorkerProcess(
  taskQueue: string,
  dataDir: string,
  extraEnv: Record<string, string> = {},
): Promise<WorkerProcess> {
  const child = spawn(
    process.execPath,
    [path.join(ROOT, 'bin', 'run-ts.js'), path.join(ROOT, 'test', 'support', 'workerMain.ts')],
    {
      cwd: ROOT,
      env: {
        ...process.env,
        RATCHET_TEST_ADDRESS: inject('temporalAddress'),
        RATCHET_TEST_TASK_QUEUE: taskQueue,
        RATCHET_TEST_DATA_DIR: dataDir,
        RATCHET_TEST_BUNDLE: inject('workflowBundlePath'),
        ...extraEnv,
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('worker-ready')) resolve();
    });
    child.once('exit', (code) =>
      reject(new Error(`worker process exited ${code} before it was ready`)),
    );
  });
  return {
    child,
    async kill() {
      child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
