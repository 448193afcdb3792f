/**
 * Records the owner host on every workflow a client starts (issue 14): the
 * memo (read by workflows/hostRouting.ts) and the RatchetHost search
 * attribute (for list queries and the Web UI). A client interceptor, so the
 * start functions (operations, evolution, pipelines, janitor) stay as they
 * are and a start that already names a host keeps it.
 */
import { Client, type WorkflowClientInterceptor } from '@temporalio/client';
import { TypedSearchAttributes, type SearchAttributePair } from '@temporalio/common';
import {
  HOST_MEMO_KEY,
  HostOwner,
  ownerFromMemo,
  WAITING_FOR_HOST_MEMO_KEY,
} from '../domain/hosts';
import { HOST_KEY } from '../domain/searchAttributes';

type StartOptions = Parameters<NonNullable<WorkflowClientInterceptor['start']>>[0]['options'];

function stamped<O extends StartOptions>(options: O, owner: HostOwner): O {
  if (options.memo?.[HOST_MEMO_KEY] !== undefined) return options;
  const pair: SearchAttributePair = { key: HOST_KEY, value: owner.id };
  const typed = options.typedSearchAttributes;
  return {
    ...options,
    memo: { ...options.memo, [HOST_MEMO_KEY]: owner },
    typedSearchAttributes:
      typed instanceof TypedSearchAttributes ? typed.updateCopy([pair]) : [...(typed ?? []), pair],
  };
}

export function ownerInterceptor(raw: HostOwner): WorkflowClientInterceptor {
  const owner = HostOwner.parse(raw);
  return {
    async start(input, next) {
      return next({ ...input, options: stamped(input.options, owner) });
    },
    async signalWithStart(input, next) {
      return next({ ...input, options: stamped(input.options, owner) });
    },
  };
}

/** `client`, starting every workflow owned by `owner`. */
export function withOwner(client: Client, owner: HostOwner): Client {
  return withWorkflowInterceptor(client, ownerInterceptor(owner));
}

/**
 * The same client (connection, namespace, converter) with one more workflow
 * interceptor after the ones it was built with, which it keeps (the owner
 * host, a fault plan: wrappers stack, never drop each other).
 */
export function withWorkflowInterceptor(
  client: Client,
  interceptor: WorkflowClientInterceptor,
): Client {
  const workflow = client.options.interceptors?.workflow;
  return new Client({
    connection: client.connection,
    namespace: client.options.namespace,
    dataConverter: client.options.dataConverter,
    interceptors: {
      ...client.options.interceptors,
      workflow: [...(Array.isArray(workflow) ? workflow : []), interceptor],
    },
  });
}

/** The owner a run recorded, from its description's memo; null for a run started without one. */
export function ownerOfDescription(description: {
  memo?: Record<string, unknown>;
}): HostOwner | null {
  return ownerFromMemo(description.memo) ?? null;
}

export interface RunHost {
  /** The host that owns the run; null for a run started without one. */
  host: string | null;
  /** Set while the run (or a running child, e.g. a cycle's iteration) waits for its host. */
  waitingForHost: string | null;
}

/** Who owns a run, and whether it (or one of its running children) is parked waiting for that host. */
export async function runHost(client: Client, workflowId: string): Promise<RunHost> {
  const description = await client.workflow.getHandle(workflowId).describe();
  const host = ownerOfDescription(description)?.id ?? null;
  const waiting = (memo: Record<string, unknown> | undefined) => {
    const text = memo?.[WAITING_FOR_HOST_MEMO_KEY];
    return typeof text === 'string' ? text : null;
  };
  let waitingForHost = waiting(description.memo);
  if (!waitingForHost && host && description.status.name === 'RUNNING') {
    const children = client.workflow.list({
      query: `ParentWorkflowId = ${JSON.stringify(workflowId)} AND ExecutionStatus = 'Running'`,
      pageSize: 20,
    });
    for await (const child of children) {
      waitingForHost = waiting(child.memo);
      if (waitingForHost) break;
    }
  }
  return { host, waitingForHost };
}

/** The lines status output adds: the owner, and what it waits for. */
export function runHostLines({ host, waitingForHost }: RunHost): string[] {
  return [
    ...(host ? [`  host ${host}`] : []),
    ...(waitingForHost ? [`  WAITING: ${waitingForHost}`] : []),
  ];
}
