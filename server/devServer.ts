/**
 * Starts `temporal server start-dev` — a real Temporal server with SQLite
 * persistence and the embedded Web UI — and stops it cleanly.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { SEARCH_ATTRIBUTES } from '../domain/searchAttributes';
import { execaModule } from '../activities/infra/execa';

/**
 * Dynamic config for a fast single-machine server. History's task-queue readers
 * are rate-limited to 20 polls a second per queue by default, so every task it
 * hands to matching (each activity, each workflow task after one) waited up to
 * 50 ms: a plain activity round trip took ~100 ms on the dev server, ~25 ms with
 * these (measured side by side, `npm run bench -- saga`). A real cluster tunes
 * its own; these apply to the dev server only.
 */
export const DEV_SERVER_DYNAMIC_CONFIG: Record<string, number> = {
  'history.transferProcessorMaxPollRPS': 10_000,
  'history.timerProcessorMaxPollRPS': 10_000,
  'history.visibilityProcessorMaxPollRPS': 10_000,
  'history.outboundProcessorMaxPollRPS': 10_000,
};

export const devServerDynamicConfigArgs = (config = DEV_SERVER_DYNAMIC_CONFIG): string[] =>
  Object.entries(config).flatMap(([key, value]) => ['--dynamic-config-value', `${key}=${value}`]);

/** How much of the server's output a start failure quotes: its beginning and its end. */
const HEAD_CHARS = 8000;
const TAIL_CHARS = 4000;

export interface DevServerOptions {
  cliPath: string;
  /** 127.0.0.1 unless told otherwise: the dev server is for this machine. */
  ip?: string;
  port: number;
  /** Web UI port; omit with `headless` for tests. */
  uiPort?: number;
  headless?: boolean;
  /** SQLite file; omitted = in-memory (throwaway, for tests). */
  dbFilename?: string;
  namespace?: string;
  logLevel?: 'debug' | 'info' | 'warn' | 'error';
  /** Where the server's own output goes; default: discarded. */
  logFile?: NodeJS.WritableStream;
  startTimeoutMs?: number;
  /** @default DEV_SERVER_DYNAMIC_CONFIG (benchmarks pass {} for the stock server) */
  dynamicConfig?: Record<string, number>;
}

export interface DevServer {
  address: string;
  uiUrl?: string;
  pid: number;
  stop(): Promise<void>;
}

export async function startDevServer(options: DevServerOptions): Promise<DevServer> {
  const ip = options.ip ?? '127.0.0.1';
  const args = ['server', 'start-dev', '--ip', ip, '--port', String(options.port)];
  if (options.headless) args.push('--headless');
  else if (options.uiPort) args.push('--ui-port', String(options.uiPort));
  if (options.dbFilename) {
    mkdirSync(path.dirname(options.dbFilename), { recursive: true });
    args.push('--db-filename', options.dbFilename);
  }
  if (options.namespace && options.namespace !== 'default')
    args.push('--namespace', options.namespace);
  for (const [name, type] of Object.entries(SEARCH_ATTRIBUTES)) {
    args.push('--search-attribute', `${name}=${type}`);
  }
  args.push(...devServerDynamicConfigArgs(options.dynamicConfig));
  args.push('--log-level', options.logLevel ?? 'warn');

  const { execa } = await execaModule();
  // Streamed, not buffered (it runs for hours); not rejected on exit: exitCode is checked below.
  const child = execa(options.cliPath, args, {
    stdin: 'ignore',
    buffer: false,
    reject: false,
    cleanup: true,
  });
  // Its first lines and its last: a Go panic names its cause above a long
  // stack, and the last lines say what the server did just before it exited.
  let head = '';
  let tail = '';
  let total = 0;
  const collect = (chunk: Buffer) => {
    const text = chunk.toString();
    total += text.length;
    if (head.length < HEAD_CHARS) head += text.slice(0, HEAD_CHARS - head.length);
    tail = (tail + text).slice(-TAIL_CHARS);
    options.logFile?.write(chunk);
  };
  const output = () => {
    if (total <= HEAD_CHARS) return head.trim();
    const after = tail.slice(-Math.min(TAIL_CHARS, total - HEAD_CHARS));
    return `${head.trimEnd()}\n${total - HEAD_CHARS > TAIL_CHARS ? '…\n' : ''}${after.trim()}`;
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const exited = child.then((r) => r.exitCode ?? null);

  const address = `${ip}:${options.port}`;
  const deadline = Date.now() + (options.startTimeoutMs ?? 60_000);
  let ready = false;
  while (!ready) {
    if (child.exitCode !== null) {
      await exited; // its output is all read once execa settles
      throw new Error(`temporal server start-dev exited with ${child.exitCode}:\n${output()}`);
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(
        `temporal server start-dev did not answer on ${address} in time:\n${output()}`,
      );
    }
    ready = await answers(address, options.namespace ?? 'default');
    if (!ready) await new Promise((r) => setTimeout(r, 250));
  }
  return {
    address,
    uiUrl: options.headless || !options.uiPort ? undefined : `http://localhost:${options.uiPort}`,
    pid: child.pid ?? -1,
    stop: () => stopChild(child, exited),
  };
}

async function answers(address: string, namespace: string): Promise<boolean> {
  let connection: Connection | undefined;
  try {
    connection = await Connection.connect({ address, connectTimeout: 1000 });
    await connection.workflowService.describeNamespace({ namespace });
    return true;
  } catch {
    return false;
  } finally {
    await connection?.close().catch(() => undefined);
  }
}

async function stopChild(
  child: {
    exitCode: number | null;
    signalCode: NodeJS.Signals | null;
    kill(s: NodeJS.Signals): boolean;
  },
  exited: Promise<number | null>,
): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}
