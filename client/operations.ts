/** Typed client functions for agent and session operations: what the CLI and client scripts call. */
import { WorkflowFailedError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import { defineSearchAttributeKey } from '@temporalio/common';
import { ApplicationFailure } from '@temporalio/common';
import type { FaultPlan } from '../domain/faults';
import { AgentCreateInput, SessionCreateInput, type OperationOutcome } from '../domain/operations';
import { withFaults } from './faults';
import {
  agentCreate,
  agentDelete,
  ledgerQuery,
  sessionCreate,
  sessionDelete,
} from '../workflows/agents';
import type { LiveOperation } from '../domain/sagaLedger';

const OPERATION_KEY = defineSearchAttributeKey('RatchetOperation', 'KEYWORD');
const suffix = () => Date.now().toString(36);

/** The outcome of a run that compensated travels in its failure's details. */
async function outcomeOf(run: Promise<OperationOutcome>): Promise<OperationOutcome> {
  try {
    return await run;
  } catch (err) {
    if (err instanceof WorkflowFailedError && err.cause instanceof ApplicationFailure) {
      const details = err.cause.details?.[0] as OperationOutcome | undefined;
      if (details?.operation) return details;
    }
    throw err;
  }
}

export interface StartOptions {
  /** Failures to inject (demos, tests): travel as a header, never in the input. */
  faults?: FaultPlan;
  /** @default `agent-create-<name>-<time>` */
  workflowId?: string;
}

const faultNote = (o: StartOptions) =>
  o.faults?.length
    ? ` (injected: ${o.faults.map((f) => `${f.activity} ${f.mode}`).join(', ')})`
    : '';

export async function createAgent(
  client: Client,
  taskQueue: string,
  raw: AgentCreateInput | Record<string, unknown>,
  options: StartOptions = {},
): Promise<OperationOutcome> {
  const input = AgentCreateInput.parse(raw);
  const handle = await withFaults(client, options.faults).workflow.start(agentCreate, {
    taskQueue,
    workflowId: options.workflowId ?? `agent-create-${input.name}-${suffix()}`,
    args: [input],
    typedSearchAttributes: [{ key: OPERATION_KEY, value: 'agent.create' }],
    staticSummary: `create agent ${input.name}${faultNote(options)}`,
  });
  return outcomeOf(handle.result());
}

export async function deleteAgent(
  client: Client,
  taskQueue: string,
  agentId: string,
): Promise<OperationOutcome> {
  const handle = await client.workflow.start(agentDelete, {
    taskQueue,
    workflowId: `agent-delete-${agentId}-${suffix()}`,
    args: [{ agentId }],
    typedSearchAttributes: [{ key: OPERATION_KEY, value: 'agent.delete' }],
    staticSummary: `delete agent ${agentId}`,
  });
  return outcomeOf(handle.result());
}

export async function createSession(
  client: Client,
  taskQueue: string,
  raw: SessionCreateInput | Record<string, unknown>,
  options: StartOptions = {},
): Promise<OperationOutcome> {
  const input = SessionCreateInput.parse(raw);
  const handle = await withFaults(client, options.faults).workflow.start(sessionCreate, {
    taskQueue,
    workflowId: options.workflowId ?? `session-create-${input.name}-${suffix()}`,
    args: [input],
    typedSearchAttributes: [{ key: OPERATION_KEY, value: 'session.create' }],
    staticSummary: `create session ${input.name}${faultNote(options)}`,
  });
  return outcomeOf(handle.result());
}

export async function deleteSession(
  client: Client,
  taskQueue: string,
  sessionId: string,
): Promise<OperationOutcome> {
  const handle = await client.workflow.start(sessionDelete, {
    taskQueue,
    workflowId: `session-delete-${sessionId}-${suffix()}`,
    args: [{ sessionId }],
    typedSearchAttributes: [{ key: OPERATION_KEY, value: 'session.delete' }],
    staticSummary: `delete session ${sessionId}`,
  });
  return outcomeOf(handle.result());
}

// Listing reads a file and needs no server; it lives apart so `ratchet agent list` loads no Temporal client.
export { listAgents, listSessions } from './registry';

/**
 * The live view of an agent or session operation, while it runs or
 * compensates and after: steps, and every registered compensation with its
 * status (pending, running, succeeded, failed, skipped). Null when no such run.
 */
export async function operationLedger(
  client: Client,
  workflowId: string,
): Promise<LiveOperation | null> {
  try {
    return await client.workflow.getHandle(workflowId).query(ledgerQuery);
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return null;
    throw err;
  }
}
