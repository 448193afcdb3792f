/**
 * Typed client functions for evolution cycles — what the CLI uses and what
 * client scripts import.
 */
import path from 'node:path';
import {
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  type Client,
  type WorkflowHandle,
} from '@temporalio/client';
import { defineSearchAttributeKey } from '@temporalio/common';
import { EvolutionConfig, type EvolutionConfigInput } from '../domain/evolution/config';
import { eventTypeFilter } from '../domain/evolution/eventFilter';
import { withSeedKeys, type EvolutionEvent } from '../domain/evolution/events';
import type {
  ApproveInput,
  CycleState,
  OperatorCall,
  RejectInput,
  RollbackRequest,
} from '../domain/evolution/operator';
import type { CycleResult, CycleStatus } from '../domain/evolution/results';
import { eventLogFile, readEventLog } from '../activities/evolution/eventLog';
import { evolutionCycle } from '../workflows/evolution/cycle';
import {
  approveUpdate,
  eventsQuery,
  pauseUpdate,
  rejectUpdate,
  requestRollbackUpdate,
  resumeUpdate,
  statusQuery,
  type OperatorAck,
} from '../workflows/evolution/messages';

const MODULE_KEY = defineSearchAttributeKey('RatchetModuleId', 'KEYWORD');
const OPERATION_KEY = defineSearchAttributeKey('RatchetOperation', 'KEYWORD');
const STATE_KEY = defineSearchAttributeKey('RatchetState', 'KEYWORD');

/** Validates the config (throws ZodError with every problem) and makes paths absolute. */
export function resolveEvolutionConfig(
  input: EvolutionConfigInput,
  cwd = process.cwd(),
): EvolutionConfig {
  const config = EvolutionConfig.parse(input);
  const abs = (p: string) => path.resolve(cwd, p);
  return {
    ...config,
    workspace: abs(config.workspace),
    candidate:
      config.candidate.kind === 'patches'
        ? { kind: 'patches', dir: abs(config.candidate.dir) }
        : config.candidate,
    sinks: { ...config.sinks, jsonl: config.sinks.jsonl ? abs(config.sinks.jsonl) : undefined },
  };
}

export function evolutionWorkflowId(moduleId: string, now = Date.now()): string {
  return `evolve-${moduleId}-${now.toString(36)}`;
}

export async function startEvolution(
  client: Client,
  taskQueue: string,
  config: EvolutionConfig,
  workflowId = evolutionWorkflowId(config.moduleId),
): Promise<WorkflowHandle<typeof evolutionCycle>> {
  return client.workflow.start(evolutionCycle, {
    taskQueue,
    workflowId,
    args: [{ config }],
    typedSearchAttributes: [
      { key: MODULE_KEY, value: config.moduleId },
      { key: OPERATION_KEY, value: 'evolve' },
      { key: STATE_KEY, value: 'running' },
    ],
    staticSummary: `evolve ${config.moduleId}: up to ${config.iterations} iterations`,
    staticDetails: `workspace ${config.workspace}`,
  });
}

export function evolutionHandle(
  client: Client,
  workflowId: string,
): WorkflowHandle<typeof evolutionCycle> {
  return client.workflow.getHandle<typeof evolutionCycle>(workflowId);
}

/** Status of a cycle, also when it has closed (a failed or terminated run reports `failed`). */
export async function evolutionStatus(client: Client, workflowId: string): Promise<CycleStatus> {
  const handle = evolutionHandle(client, workflowId);
  const description = await handle.describe();
  const closedBadly = ['FAILED', 'TERMINATED', 'CANCELLED', 'TIMED_OUT'].includes(
    description.status.name,
  );
  try {
    const status = await handle.query(statusQuery);
    return closedBadly ? { ...status, state: 'failed' } : status;
  } catch (err) {
    if (!closedBadly) throw err;
    return {
      workflowId,
      moduleId: String(description.typedSearchAttributes.get(MODULE_KEY) ?? ''),
      state: 'failed',
      iteration: 0,
      step: description.status.name.toLowerCase(),
      activeVersion: null,
      pendingApproval: null,
      stopReason: `workflow ${description.status.name.toLowerCase()}`,
    };
  }
}

export async function evolutionEvents(
  client: Client,
  workflowId: string,
  sinceSeq = 0,
): Promise<EvolutionEvent[]> {
  return evolutionHandle(client, workflowId).query(eventsQuery, { sinceSeq });
}

/**
 * Every event of a cycle after `sinceSeq`, oldest first: the durable log
 * under the data dir (all of it), then the workflow's own tail for anything
 * the log has not received yet. At most `limit` (page with `sinceSeq`).
 */
export async function evolutionEventLog(
  client: Client,
  workflowId: string,
  options: {
    dataDir: string;
    sinceSeq?: number;
    limit?: number;
    /** Only these types (globs: `ROLLBACK_*`); `limit` counts the ones kept. */
    types?: readonly string[];
  },
): Promise<EvolutionEvent[]> {
  const sinceSeq = options.sinceSeq ?? 0;
  const limit = options.limit ?? Number.POSITIVE_INFINITY;
  const keep = eventTypeFilter(options.types);
  const handle = evolutionHandle(client, workflowId);
  const moduleId = String((await handle.describe()).typedSearchAttributes.get(MODULE_KEY) ?? '');
  const logged = moduleId
    ? await readEventLog(eventLogFile(options.dataDir, moduleId, workflowId), sinceSeq, limit, keep)
    : [];
  if (logged.length >= limit) return logged;
  const after = logged.at(-1)?.seq ?? sinceSeq;
  let tail: EvolutionEvent[] = [];
  try {
    tail = await handle.query(eventsQuery, { sinceSeq: after });
  } catch (err) {
    if (!logged.length) throw err; // closed with no worker to answer: the log is all there is
  }
  // The tail has not been through the log activity: it gets the seeds' keys here.
  const fresh = tail.filter((e) => e.seq > after && keep(e)).map(withSeedKeys);
  return [...logged, ...fresh].slice(0, limit);
}

export async function evolutionResult(client: Client, workflowId: string): Promise<CycleResult> {
  return evolutionHandle(client, workflowId).result();
}

export interface EvolutionSummary {
  workflowId: string;
  moduleId: string;
  state: CycleState | string;
  startTime: string;
}

/** Cycles, newest first. */
export async function listEvolutions(client: Client, limit = 50): Promise<EvolutionSummary[]> {
  const out: EvolutionSummary[] = [];
  for await (const wf of client.workflow.list({ query: `WorkflowType = 'evolutionCycle'` })) {
    const state = wf.typedSearchAttributes.get(STATE_KEY);
    const closed = wf.status.name !== 'RUNNING';
    out.push({
      workflowId: wf.workflowId,
      moduleId: String(wf.typedSearchAttributes.get(MODULE_KEY) ?? ''),
      state:
        closed && wf.status.name !== 'COMPLETED'
          ? 'failed'
          : (state ?? wf.status.name.toLowerCase()),
      startTime: wf.startTime.toISOString(),
    });
    if (out.length >= limit) break;
  }
  return out.sort((a, b) => b.startTime.localeCompare(a.startTime));
}

/** An operator request the workflow refused (its validator said why). */
export class OperatorRequestRefused extends Error {
  override name = 'OperatorRequestRefused';
}

async function update(run: () => Promise<OperatorAck>): Promise<OperatorAck> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof WorkflowUpdateFailedError) {
      const cause = err.cause?.message ?? err.message;
      throw new OperatorRequestRefused(cause);
    }
    if (
      err instanceof WorkflowNotFoundError ||
      /already completed|not found/i.test((err as Error).message)
    ) {
      throw new OperatorRequestRefused('the cycle is not running (finished, or no such workflow)');
    }
    throw err;
  }
}

/** Every operator update carries who sent it: `by` (a name) and the client's identity. */
const signed = <T extends object>(client: Client, input: T) => ({
  ...input,
  identity: client.options.identity,
});

export const approveEvolution = (client: Client, workflowId: string, input: ApproveInput) =>
  update(() =>
    evolutionHandle(client, workflowId).executeUpdate(approveUpdate, {
      args: [signed(client, input)],
    }),
  );
export const rejectEvolution = (client: Client, workflowId: string, input: RejectInput) =>
  update(() =>
    evolutionHandle(client, workflowId).executeUpdate(rejectUpdate, {
      args: [signed(client, input)],
    }),
  );
export const rollbackEvolution = (client: Client, workflowId: string, input: RollbackRequest) =>
  update(() =>
    evolutionHandle(client, workflowId).executeUpdate(requestRollbackUpdate, {
      args: [signed(client, input)],
    }),
  );
export const pauseEvolution = (client: Client, workflowId: string, input: OperatorCall = {}) =>
  update(() =>
    evolutionHandle(client, workflowId).executeUpdate(pauseUpdate, {
      args: [signed(client, input)],
    }),
  );
export const resumeEvolution = (client: Client, workflowId: string, input: OperatorCall = {}) =>
  update(() =>
    evolutionHandle(client, workflowId).executeUpdate(resumeUpdate, {
      args: [signed(client, input)],
    }),
  );
