/**
 * Deleting an agent or a session: every teardown registered with the
 * creation's priorities and run at once — a delete is a compensation of
 * everything, audited like one — then the world read again: anything left
 * makes the delete incomplete, whatever each step said.
 */
import { ApplicationFailure, patched, workflowInfo } from '@temporalio/workflow';
import type { AgentActivities } from '../../activities/agents';
import type { OperationOutcome } from '../../domain/operations';
import { deletionLeftovers, type OperationSnapshot } from '../../domain/operationSnapshot';
import type { CompensationOutcome } from '../../domain/saga';
import { Saga } from '../saga/engine';
import { failureMessage } from '../saga/operation';
import { OperationView } from '../saga/view';
import { audit, reads } from './common';

/** One teardown of a delete: what it undoes, its priority, the activity and its argument. */
type Teardown = [
  actionType: string,
  priority: number,
  activity: keyof AgentActivities,
  args: object,
];

interface Deletion {
  operation: 'agent.delete' | 'session.delete';
  subjectId: string;
  repo: string | null;
  pids: number[];
  /** In the creation's priority order (the saga sorts them anyway). */
  teardowns: Teardown[];
  resources: Record<string, string>;
}

/** Deleting is compensating everything the creation made, in the same priority order. */
export async function agentDelete(input: { agentId: string }): Promise<OperationOutcome> {
  const agent = await reads.getAgent({ agentId: input.agentId });
  if (!agent) {
    throw ApplicationFailure.create({
      type: 'AgentNotFound',
      message: `no agent ${input.agentId}`,
      nonRetryable: true,
    });
  }
  const agentId = agent.id;
  const teardowns: Teardown[] = [
    ['remove_record', 100, 'removeAgentRecord', { agentId }],
    ['terminate_process', 95, 'terminateAgentProcess', { agentId }],
  ];
  if (agent.repo)
    teardowns.push(['remove_worktree', 90, 'removeAgentWorktree', { agentId, repo: agent.repo }]);
  teardowns.push(
    ['release_quota', 80, 'releaseAgentQuota', { agentId }],
    ['remove_state', 70, 'removeAgentState', { agentId }],
    ['remove_session_dir', 60, 'removeAgentScratch', { agentId }],
    ['remove_agent_folder', 10, 'removeAgentFolder', { agentId }],
  );
  return runDeletion({
    operation: 'agent.delete',
    subjectId: agentId,
    repo: agent.repo,
    pids: agent.pid ? [agent.pid] : [],
    teardowns,
    resources: { agentId },
  });
}

export async function sessionDelete(input: { sessionId: string }): Promise<OperationOutcome> {
  const session = await reads.getSession({ sessionId: input.sessionId });
  if (!session) {
    throw ApplicationFailure.create({
      type: 'SessionNotFound',
      message: `no session ${input.sessionId}`,
      nonRetryable: true,
    });
  }
  const sessionId = session.id;
  const teardowns: Teardown[] = [
    ['remove_record', 100, 'removeSessionRecord', { sessionId }],
    ['remove_session_dir', 80, 'removeSessionDir', { sessionId }],
  ];
  if (session.repo)
    teardowns.push(['git_cleanup', 70, 'detachSessionGit', { sessionId, repo: session.repo }]);
  teardowns.push(['monitoring_cleanup', 60, 'stopSessionWatcher', { sessionId }]);
  return runDeletion({
    operation: 'session.delete',
    subjectId: sessionId,
    repo: session.repo,
    pids: session.watcherPid ? [session.watcherPid] : [],
    teardowns,
    resources: { sessionId },
  });
}

/** Snapshot, every teardown at once, what is left, the audit, the outcome. */
async function runDeletion(d: Deletion): Promise<OperationOutcome> {
  const kind = d.operation === 'agent.delete' ? 'agent' : 'session';
  const view = new OperationView(
    workflowInfo().workflowId,
    d.operation,
    `delete ${kind} ${d.subjectId}`,
  );
  const before = await reads.snapshotOperation({
    operationId: workflowInfo().workflowId,
    operationType: d.operation,
    subjectId: d.subjectId,
    repo: d.repo,
    pids: d.pids,
  });
  const saga = new Saga({ onChange: view.onLedger });
  for (const [actionType, priority, activity, args] of d.teardowns)
    saga.register({ actionType, resourceId: d.subjectId, priority, activity, args: [args] });
  const startedAt = Date.now();
  const result = await saga.compensate();
  const drift = await leftovers(before);
  await auditDeletion(d.operation, d.subjectId, startedAt, result, drift);
  return view.finished(deletionOutcome(d.operation, result, d.resources, drift));
}

/** A delete is a compensation of everything, so it is audited like one (`ratchet agent audit`). */
async function auditDeletion(
  operation: 'agent.delete' | 'session.delete',
  subjectId: string,
  startedAt: number,
  result: CompensationOutcome,
  drift: string[],
): Promise<void> {
  // Deletes recorded before they were audited replay without the audit activity.
  if (!patched('deletes-audited')) return;
  await audit({
    operationId: workflowInfo().workflowId,
    operation,
    subjectId,
    startedAt,
    finishedAt: Date.now(),
    compensations: result.compensations,
    cleanupCompleteness: result.cleanupCompleteness,
    drift,
  });
}

/** After a delete: what of the agent or session is still there (empty when it is all gone). */
async function leftovers(before: OperationSnapshot): Promise<string[]> {
  try {
    return deletionLeftovers(before, await reads.resnapshotOperation({ before, pids: [] }));
  } catch (e) {
    return [`cannot verify: ${failureMessage(e)}`];
  }
}

function deletionOutcome(
  operation: 'agent.delete' | 'session.delete',
  result: CompensationOutcome,
  resources: Record<string, string>,
  drift: string[],
): OperationOutcome {
  return {
    workflowId: workflowInfo().workflowId,
    operation,
    // A delete that left something behind did not complete, whatever each step said.
    status:
      result.status === 'compensated' && drift.length === 0
        ? 'completed'
        : 'compensation_incomplete',
    failedStep: result.compensations.find((c) => c.status === 'failed')?.actionType ?? null,
    error: result.compensations.find((c) => c.status === 'failed')?.error ?? null,
    steps: result.compensations.map((c) => ({
      name: c.actionType,
      status: c.status === 'failed' ? 'failed' : 'completed',
      durationMs: c.durationMs,
      error: c.error,
    })),
    compensations: result.compensations,
    cleanupCompleteness: result.cleanupCompleteness,
    registryDrift: drift,
    resources,
  };
}
