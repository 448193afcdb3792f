/**
 * A ratchet worker in a child process (test/support/workerMain.ts) that a
 * test or a benchmark can SIGKILL and start again; needs no vitest context.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

const ROOT = path.join(__dirname, '..', '..');

export interface KillableWorker {
  child: ChildProcess;
  exited: Promise<void>;
  kill(): Promise<void>;
  stop(): Promise<void>;
}

export async function startWorker(options: {
  address: string;
  bundlePath: string;
  taskQueue: string;
  dataDir: string;
}): Promise<KillableWorker> {
  const child = spawn(
    process.execPath,
    [path.join(ROOT, 'bin', 'run-ts.js'), path.join(ROOT, 'test', 'support', 'workerMain.ts')],
    {
      cwd: ROOT,
      env: {
        ...process.env,
        RATCHET_TEST_ADDRESS: options.address,
        RATCHET_TEST_TASK_QUEUE: options.taskQueue,
        RATCHET_TEST_DATA_DIR: options.dataDir,
        RATCHET_TEST_BUNDLE: options.bundlePath,
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
    child.once('exit', (code) => reject(new Error(`worker exited ${code} before it was ready`)));
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
