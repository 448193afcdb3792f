/**
 * The fault matrix: for agent and session creation, SIGKILL the worker at
 * every step boundary (before a step, and after its effect but before it is
 * reported) and inside every compensation (after its effect), restart the
 * worker, and check the world. The kill is a fault plan (domain/faults.ts):
 * deterministic, at a named point, never a sleep.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { createAgent, createSession, deleteAgent, deleteSession } from '../../client/operations';
import {
  AGENT_COMPENSATION_ACTIVITY,
  AGENT_STEP_ACTIVITY,
  SESSION_COMPENSATION_ACTIVITY,
  SESSION_STEP_ACTIVITY,
  type Fault,
} from '../../domain/faults';
import { AGENT_STEPS, SESSION_STEPS, type OperationOutcome } from '../../domain/operations';
import { startWorker, type KillableWorker } from '../support/workerProcess';
import { agentWholeProblems, leftoversOf, sessionWholeProblems } from './world';

export interface MatrixPoint {
  operation: 'agent.create' | 'session.create';
  /** e.g. "after persist_state", "inside remove_worktree" */
  point: string;
  kill: Omit<Fault, 'onceFile'>;
  /** A permanent failure that makes the compensations run (for points inside them). */
  failAt?: Fault;
  /** A step lost with its worker is retried (completed) unless its retries ran out (compensated). */
  expected: 'completed' | 'compensated' | 'either';
}

export function matrixPoints(): MatrixPoint[] {
  const points: MatrixPoint[] = [];
  const ops = [
    {
      operation: 'agent.create' as const,
      steps: AGENT_STEPS,
      stepActivity: AGENT_STEP_ACTIVITY as Record<string, string>,
      compensations: AGENT_COMPENSATION_ACTIVITY,
      lastStep: AGENT_STEP_ACTIVITY.health_check,
    },
    {
      operation: 'session.create' as const,
      steps: SESSION_STEPS,
      stepActivity: SESSION_STEP_ACTIVITY as Record<string, string>,
      compensations: SESSION_COMPENSATION_ACTIVITY,
      lastStep: SESSION_STEP_ACTIVITY.start_watcher,
    },
  ];
  for (const op of ops) {
    for (const step of op.steps) {
      for (const phase of ['before', 'after'] as const) {
        points.push({
          operation: op.operation,
          point: `${phase} ${step}`,
          kill: { activity: op.stepActivity[step]!, mode: 'kill', phase },
          expected: 'either',
        });
      }
    }
    for (const [actionType, activity] of Object.entries(op.compensations)) {
      points.push({
        operation: op.operation,
        point: `inside ${actionType}`,
        kill: { activity, mode: 'kill', phase: 'after' },
        failAt: { activity: op.lastStep, mode: 'permanent', phase: 'after' },
        expected: 'compensated',
      });
    }
  }
  return points;
}

export interface MatrixContext {
  client: Client;
  address: string;
  bundlePath: string;
  dataDir: string;
  repo: string;
  /** Step timeout of the operations: how long a step lost with its worker takes to retry. */
  stepTimeoutMs: number;
}

export interface PointResult {
  operation: string;
  point: string;
  expected: string;
  status: string;
  killed: boolean;
  problems: string[];
  ms: number;
}

/** Runs one point on its own task queue: start worker, start op, wait for the kill, restart, check. */
export async function runPoint(
  ctx: MatrixContext,
  p: MatrixPoint,
  index: number,
): Promise<PointResult> {
  const started = Date.now();
  const taskQueue = `faults-${index}-${Date.now().toString(36)}`;
  const marker = path.join(ctx.dataDir, `kill-${index}.marker`);
  const faults: Fault[] = [{ ...p.kill, onceFile: marker }, ...(p.failAt ? [p.failAt] : [])];
  const spec = {
    address: ctx.address,
    bundlePath: ctx.bundlePath,
    taskQueue,
    dataDir: ctx.dataDir,
  };
  let worker: KillableWorker = await startWorker(spec);
  const name = `fm${index}`;
  const input = { name, repo: ctx.repo, stepTimeoutMs: ctx.stepTimeoutMs };
  const pending: Promise<OperationOutcome> =
    p.operation === 'agent.create'
      ? createAgent(ctx.client, taskQueue, { ...input, healthTimeoutMs: 5_000 }, { faults })
      : createSession(ctx.client, taskQueue, input, { faults });
  pending.catch(() => undefined);
  const problems: string[] = [];
  let killed = false;
  let status = 'error';
  try {
    // The kill is the worker's own: it creates the marker, then SIGKILLs itself.
    await worker.exited;
    killed = existsSync(marker);
    worker = await startWorker(spec);
    const outcome = await pending;
    status = outcome.status;
    const id = String(outcome.resources.agentId ?? outcome.resources.sessionId);
    if (status === 'completed') {
      problems.push(
        ...(p.operation === 'agent.create'
          ? await agentWholeProblems(ctx.dataDir, id, name, ctx.repo)
          : await sessionWholeProblems(ctx.dataDir, id, ctx.repo)),
      );
      const deleted =
        p.operation === 'agent.create'
          ? await deleteAgent(ctx.client, taskQueue, id)
          : await deleteSession(ctx.client, taskQueue, id);
      if (deleted.status !== 'completed') problems.push(`delete ${deleted.status}`);
    }
    for (const left of await leftoversOf(ctx.dataDir, id, ctx.repo)) problems.push(`left: ${left}`);
    if (status === 'compensated' && outcome.registryDrift.length)
      problems.push(...outcome.registryDrift);
  } catch (err) {
    problems.push(String((err as Error).message ?? err));
  } finally {
    await worker.stop();
  }
  if (!killed) problems.push('the worker was never killed at this point');
  const fine = p.expected === 'either' ? ['completed', 'compensated'] : [p.expected];
  if (!fine.includes(status)) problems.push(`expected ${p.expected}`);
  return {
    operation: p.operation,
    point: p.point,
    expected: p.expected,
    status,
    killed,
    problems,
    ms: Date.now() - started,
  };
}

export function matrixTable(results: PointResult[]): string {
  const rows = results.map((r) => [
    r.operation,
    r.point,
    r.killed ? 'SIGKILL' : '-',
    r.status,
    r.problems.length ? `FAIL: ${r.problems.join('; ')}` : 'ok',
    `${(r.ms / 1000).toFixed(1)} s`,
  ]);
  const head = ['OPERATION', 'POINT', 'WORKER', 'OUTCOME', 'WORLD', 'TIME'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  return [head, ...rows].map((r) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ')).join('\n');
}
