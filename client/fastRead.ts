/**
 * The read path of `ratchet evolve list --json` and `evolve status ID --json`:
 * three WorkflowService calls (list, describe, query) made over node:http2 with
 * only the ~15 protobuf types and fields they read (bin/bundle.js prunes them
 * into dist/cli/readProtos.json), instead of loading @temporalio/client, gRPC and
 * Temporal's whole API — most of a cold start. It answers exactly what
 * listEvolutions and evolutionStatus (client/evolution.ts) answer, and gives
 * up (undefined) on anything it does not handle — TLS, API keys, an error, an
 * encoding other than JSON — so the caller runs the full client, which also
 * words the errors. Hand-written: a unary gRPC call is a 5-byte frame and a
 * trailer, where a gRPC library is what we are avoiding loading.
 */
import { connect, type ClientHttp2Session } from 'node:http2';
import path from 'node:path';
import { Root } from 'protobufjs/light';
import type { Settings } from '../config/settings';
import type { CycleStatus } from '../domain/evolution/results';
import type { EvolutionSummary } from './evolution';

const SERVICE = 'temporal.api.workflowservice.v1';
const STATUS_PREFIX = 'WORKFLOW_EXECUTION_STATUS_';
const CLOSED_BADLY = ['FAILED', 'TERMINATED', 'CANCELLED', 'TIMED_OUT'];
const MODULE_ATTRIBUTE = 'RatchetModuleId';
const STATE_ATTRIBUTE = 'RatchetState';

interface Payload {
  metadata?: Record<string, Uint8Array>;
  data?: Uint8Array;
}

interface ExecutionInfo {
  execution?: { workflowId?: string };
  status?: string;
  startTime?: { seconds?: number; nanos?: number };
  searchAttributes?: { indexedFields?: Record<string, Payload> };
}

/** The reader answers only what it can answer exactly; anything else is this. */
class NotHandled extends Error {}

function decodePayload(p: Payload | undefined): unknown {
  const encoding = Buffer.from(p?.metadata?.encoding ?? []).toString('utf8');
  if (encoding === 'binary/null') return undefined;
  if (encoding !== 'json/plain') throw new NotHandled(`payload encoding ${encoding}`);
  return JSON.parse(Buffer.from(p?.data ?? []).toString('utf8'));
}

/** A keyword search attribute, as typedSearchAttributes.get(KEYWORD key) reads it. */
function keyword(info: ExecutionInfo, name: string): string | undefined {
  const p = info.searchAttributes?.indexedFields?.[name];
  if (!p) return undefined;
  const type = Buffer.from(p.metadata?.type ?? []).toString('utf8');
  if (type !== 'Keyword') return undefined;
  const value = decodePayload(p);
  return typeof value === 'string' ? value : undefined;
}

function statusName(info: ExecutionInfo): string {
  return (info.status ?? '').replace(STATUS_PREFIX, '');
}

/** A connection and unary calls to one WorkflowService. */
export class ReadConnection {
  private constructor(
    private readonly session: ClientHttp2Session,
    private readonly root: Root,
    private readonly namespace: string,
  ) {}

  /** Connects without TLS or API key (anything else: NotHandled, the full client's job). */
  static async open(settings: Settings, protos: object): Promise<ReadConnection> {
    if (settings.temporal.tls || settings.temporal.apiKey) throw new NotHandled('tls or api key');
    const root = Root.fromJSON(protos);
    const session = connect(`http://${settings.temporal.address}`);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('connect timeout')), 5_000);
      session.once('connect', () => {
        clearTimeout(timer);
        resolve();
      });
      session.once('error', (err: Error) => {
        clearTimeout(timer);
        reject(err);
      });
    });
    return new ReadConnection(session, root, settings.temporal.namespace);
  }

  /** Every call has been answered (or is abandoned): no graceful GOAWAY exchange to wait for at exit. */
  close(): void {
    this.session.destroy();
  }

  /** One unary call; the response as a plain object (enums as names, 64-bit ints as numbers). */
  async call<T>(method: string, request: Record<string, unknown>): Promise<T> {
    const req = this.root.lookupType(`${SERVICE}.${method}Request`);
    const res = this.root.lookupType(`${SERVICE}.${method}Response`);
    const body = Buffer.from(
      req.encode(req.fromObject({ namespace: this.namespace, ...request })).finish(),
    );
    const frame = Buffer.alloc(5 + body.length);
    frame.writeUInt32BE(body.length, 1); // byte 0: not compressed
    body.copy(frame, 5);
    const stream = this.session.request({
      ':method': 'POST',
      ':path': `/${SERVICE}.WorkflowService/${method}`,
      'content-type': 'application/grpc',
      te: 'trailers',
      'grpc-timeout': '10S',
    });
    const chunks: Buffer[] = [];
    let status: string | undefined;
    let message = '';
    const note = (h: Record<string, unknown>) => {
      if (h['grpc-status'] !== undefined) status = String(h['grpc-status']);
      if (h['grpc-message'] !== undefined) message = decodeURIComponent(String(h['grpc-message']));
    };
    stream.on('response', note); // a trailers-only answer carries the status here
    stream.on('trailers', note);
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.end(frame);
    await new Promise<void>((resolve, reject) => {
      stream.once('close', resolve);
      stream.once('error', reject);
    });
    if (status !== '0') throw new NotHandled(`${method}: grpc status ${status}: ${message}`);
    const data = Buffer.concat(chunks);
    if (data.length < 5 || data[0] !== 0) throw new NotHandled(`${method}: unexpected frame`);
    const decoded = res.decode(data.subarray(5, 5 + data.readUInt32BE(1)));
    return res.toObject(decoded, { longs: Number, enums: String, defaults: false }) as T;
  }
}

/** listEvolutions: cycles, newest first. */
export async function fastListEvolutions(
  conn: ReadConnection,
  limit = 50,
): Promise<EvolutionSummary[]> {
  const out: EvolutionSummary[] = [];
  let nextPageToken: Uint8Array | undefined;
  do {
    const page = await conn.call<{ executions?: ExecutionInfo[]; nextPageToken?: Uint8Array }>(
      'ListWorkflowExecutions',
      { query: `WorkflowType = 'evolutionCycle'`, ...(nextPageToken ? { nextPageToken } : {}) },
    );
    for (const wf of page.executions ?? []) {
      const status = statusName(wf);
      const state = keyword(wf, STATE_ATTRIBUTE);
      const closed = status !== 'RUNNING';
      const t = wf.startTime ?? {};
      out.push({
        workflowId: wf.execution?.workflowId ?? '',
        moduleId: keyword(wf, MODULE_ATTRIBUTE) ?? '',
        state: closed && status !== 'COMPLETED' ? 'failed' : (state ?? status.toLowerCase()),
        startTime: new Date((t.seconds ?? 0) * 1000 + (t.nanos ?? 0) / 1e6).toISOString(),
      });
      if (out.length >= limit) break;
    }
    nextPageToken = page.nextPageToken?.length ? page.nextPageToken : undefined;
  } while (nextPageToken && out.length < limit);
  return out.sort((a, b) => b.startTime.localeCompare(a.startTime));
}

/**
 * evolutionStatus: the cycle's own answer, or what its closed run says. The
 * describe and the query go out together (one round trip, where the full
 * client makes two); the answer is decided as evolutionStatus decides it.
 */
export async function fastEvolutionStatus(
  conn: ReadConnection,
  workflowId: string,
): Promise<CycleStatus> {
  const execution = { workflowId };
  const queried = conn
    .call<{
      queryResult?: { payloads?: Payload[] };
      queryRejected?: unknown;
    }>('QueryWorkflow', { execution, query: { queryType: 'status', queryArgs: { payloads: [] } } })
    .then(
      (answer) => ({ answer }),
      (err: unknown) => ({ err }),
    );
  const described = await conn.call<{ workflowExecutionInfo?: ExecutionInfo }>(
    'DescribeWorkflowExecution',
    { execution },
  );
  const info = described.workflowExecutionInfo ?? {};
  const status = statusName(info);
  const closedBadly = CLOSED_BADLY.includes(status);
  try {
    const result = await queried;
    if ('err' in result) throw result.err;
    if (result.answer.queryRejected) throw new NotHandled('query rejected');
    const cycle = decodePayload(result.answer.queryResult?.payloads?.[0]) as CycleStatus;
    return closedBadly ? { ...cycle, state: 'failed' } : cycle;
  } catch (err) {
    if (!closedBadly) throw err;
    return {
      workflowId,
      moduleId: keyword(info, MODULE_ATTRIBUTE) ?? '',
      state: 'failed',
      iteration: 0,
      step: status.toLowerCase(),
      activeVersion: null,
      pendingApproval: null,
      stopReason: `workflow ${status.toLowerCase()}`,
    };
  }
}

/** The pruned protobuf JSON the build wrote beside this bundle, or undefined (sources, tsc output). */
export function bundledProtos(): object | undefined {
  try {
    return require(path.join(__dirname, 'readProtos.json')) as object;
  } catch {
    return undefined;
  }
}

export type FastRead = { kind: 'list' } | { kind: 'status'; workflowId: string };

/**
 * Runs one read (`list` or `status ID`) on the fast path; undefined when it
 * cannot answer exactly, and the caller runs the full client instead.
 */
export async function fastRead(
  settings: Settings,
  read: FastRead,
  protos: object | undefined = bundledProtos(),
): Promise<unknown> {
  if (!protos) return undefined;
  let conn: ReadConnection | undefined;
  try {
    conn = await ReadConnection.open(settings, protos);
    return read.kind === 'list'
      ? await fastListEvolutions(conn)
      : await fastEvolutionStatus(conn, read.workflowId);
  } catch {
    return undefined; // the full client answers, and words any error
  } finally {
    conn?.close();
  }
}
