/**
 * One "host" of the cluster test: its own data dir and workspace root, and a
 * real `ratchet worker --host <id>` process (the CLI users run) that can be
 * SIGKILLed and started again. Ready means its pollers are seen on its host
 * queue by the server, which also tells us the worker identity the histories
 * will name.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { execaModule } from '../../activities/infra/execa';

const ROOT = path.join(__dirname, '..', '..');
export const SHARED_QUEUE = 'ratchet';

export interface HostDirs {
  id: string;
  root: string;
  dataDir: string;
  workspaces: string;
}

export function hostDirs(base: string, id: string): HostDirs {
  const root = path.join(base, id);
  const dirs = {
    id,
    root,
    dataDir: path.join(root, 'data'),
    workspaces: path.join(root, 'workspaces'),
  };
  mkdirSync(dirs.dataDir, { recursive: true });
  mkdirSync(dirs.workspaces, { recursive: true });
  return dirs;
}

export interface HostWorker {
  child: ChildProcess;
  /** `pid@hostname`: what ActivityTaskStarted events of this worker say. */
  identity: string;
  kill(): Promise<void>;
  stop(): Promise<void>;
}

async function pollerIdentities(client: Client, queue: string): Promise<string[]> {
  const res = await client.workflowService.describeTaskQueue({
    namespace: client.options.namespace,
    taskQueue: { name: queue, kind: temporal.api.enums.v1.TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
    taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY,
  });
  return (res.pollers ?? []).map((p) => p.identity ?? '');
}

export async function startHostWorker(
  client: Client,
  address: string,
  host: HostDirs,
  hostQueue: string,
  timeoutMs = 180_000,
): Promise<HostWorker> {
  const log = createWriteStream(path.join(host.root, 'worker.log'), { flags: 'a' });
  const child = spawn(
    process.execPath,
    [path.join(ROOT, 'bin', 'ratchet.js'), 'worker', '--host', host.id],
    {
      // Not the host's dir: the test proves nothing is left running in there.
      cwd: ROOT,
      env: {
        ...process.env,
        RATCHET_FROM_SOURCE: '1',
        TEMPORAL_ADDRESS: address,
        TEMPORAL_NAMESPACE: client.options.namespace,
        RATCHET_TASK_QUEUE: SHARED_QUEUE,
        RATCHET_DATA_DIR: host.dataDir,
        RATCHET_LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  child.stdout?.pipe(log, { end: false });
  child.stderr?.pipe(log, { end: false });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const identity = `${child.pid}@`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(
        `worker of ${host.id} exited (${child.exitCode ?? child.signalCode}); see ${host.root}/worker.log`,
      );
    }
    const found = (await pollerIdentities(client, hostQueue).catch(() => [])).find((id) =>
      id.startsWith(identity),
    );
    if (found) {
      return {
        child,
        identity: found,
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
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`worker of ${host.id} did not poll ${hostQueue} within ${timeoutMs} ms`);
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}

export interface DoctorReport {
  ok: boolean;
  checks: { name: string; ok: boolean; detail: string }[];
}

/** `ratchet doctor --json --only …` as host `host` runs it (the worker container's health check). */
export async function doctorOn(
  address: string,
  host: HostDirs,
  only: string[],
): Promise<DoctorReport> {
  const { execa } = await execaModule();
  const result = await execa(
    process.execPath,
    [path.join(ROOT, 'bin', 'ratchet.js'), 'doctor', '--json', '--only', only.join(',')],
    {
      cwd: ROOT,
      reject: false,
      env: {
        RATCHET_FROM_SOURCE: '1',
        TEMPORAL_ADDRESS: address,
        RATCHET_TASK_QUEUE: SHARED_QUEUE,
        RATCHET_DATA_DIR: host.dataDir,
        RATCHET_HOST_ID: host.id,
      },
    },
  );
  try {
    return JSON.parse(result.stdout) as DoctorReport;
  } catch {
    throw new Error(
      `doctor printed no JSON (exit ${result.exitCode}): ${result.stdout}${result.stderr}`,
    );
  }
}
