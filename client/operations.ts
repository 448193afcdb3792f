/** Typed client functions for agent and session operations: what the CLI and client scripts call. */
import { WorkflowFailedError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import { defineSearchAttributeKey } from '@temporalio/common';
import { ApplicationFailure } from '@temporalio/common';
import type { AgentEntry, SessionEntry } from '../activities/agents';
import { Registry } from '../activities/agents/registry';
import { AgentCreateInput, SessionCreateInput, type OperationOutcome } from '../domain/operations';
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

export async function createAgent(
  client: Client,
  taskQueue: string,
  raw: AgentCreateInput | Record<string, unknown>,
): Promise<OperationOutcome> {
  const input = AgentCreateInput.parse(raw);
  const handle = await client.workflow.start(agentCreate, {
    taskQueue,
    workflowId: `agent-create-${input.name}-${suffix()}`,
    args: [input],
    typedSearchAttributes: [{ key: OPERATION_KEY, value: 'agent.create' }],
    staticSummary: `create agent ${input.name}${input.failAt ? ` (failAt ${input.failAt}, ${input.failMode})` : ''}`,
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
): Promise<OperationOutcome> {
  const input = SessionCreateInput.parse(raw);
  const handle = await client.workflow.start(sessionCreate, {
    taskQueue,
    workflowId: `session-create-${input.name}-${suffix()}`,
    args: [input],
    typedSearchAttributes: [{ key: OPERATION_KEY, value: 'session.create' }],
    staticSummary: `create session ${input.name}`,
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

/** The registry is a file under the data dir: listing needs no server, like `git branch`. */
export function listAgents(dataDir: string): AgentEntry[] {
  return Object.values(new Registry(dataDir).read().agents);
}

export function listSessions(dataDir: string): SessionEntry[] {
  return Object.values(new Registry(dataDir).read().sessions);
}

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
