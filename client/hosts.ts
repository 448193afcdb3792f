/**
 * Records the owner host on every workflow a client starts (issue 14): the
 * memo (read by workflows/hostRouting.ts) and the RatchetHost search
 * attribute (for list queries and the Web UI). A client interceptor, so the
 * start functions (operations, evolution, pipelines, janitor) stay as they
 * are and a start that already names a host keeps it.
 */
import { Client, type WorkflowClientInterceptor } from '@temporalio/client';
import { TypedSearchAttributes, type SearchAttributePair } from '@temporalio/common';
import { HOST_MEMO_KEY, HostOwner, ownerFromMemo } from '../domain/hosts';
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
  return new Client({
    connection: client.connection,
    namespace: client.options.namespace,
    dataConverter: client.options.dataConverter,
    interceptors: {
      ...client.options.interceptors,
      workflow: [...workflowInterceptorsOf(client), ownerInterceptor(owner)],
    },
  });
}

/** The workflow interceptors a client was built with (so wrappers add to them, never drop them). */
export function workflowInterceptorsOf(client: Client): WorkflowClientInterceptor[] {
  const workflow = client.options.interceptors?.workflow;
  return Array.isArray(workflow) ? workflow : [];
}

/** The owner a run recorded, from its description's memo; null for a run started without one. */
export function ownerOfDescription(description: {
  memo?: Record<string, unknown>;
}): HostOwner | null {
  return ownerFromMemo(description.memo) ?? null;
}
