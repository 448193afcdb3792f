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
  const view = new OperationView(
    workflowInfo().workflowId,
    'agent.delete',
    `delete agent ${agentId}`,
  );
  const before = await reads.snapshotOperation({
    operationId: workflowInfo().workflowId,
    operationType: 'agent.delete',
    subjectId: agentId,
    repo: agent.repo,
    pids: agent.pid ? [agent.pid] : [],
  });
  const saga = new Saga({ onChange: view.onLedger });
  const undo = (
    actionType: string,
    priority: number,
    activity: keyof AgentActivities,
    args: object,
  ) => saga.register({ actionType, resourceId: agentId, priority, activity, args: [args] });
  undo('remove_record', 100, 'removeAgentRecord', { agentId });
  undo('terminate_process', 95, 'terminateAgentProcess', { agentId });
  if (agent.repo) undo('remove_worktree', 90, 'removeAgentWorktree', { agentId, repo: agent.repo });
  undo('release_quota', 80, 'releaseAgentQuota', { agentId });
  undo('remove_state', 70, 'removeAgentState', { agentId });
  undo('remove_session_dir', 60, 'removeAgentScratch', { agentId });
  undo('remove_agent_folder', 10, 'removeAgentFolder', { agentId });
  const startedAt = Date.now();
  const result = await saga.compensate();
  const drift = await leftovers(before);
  await auditDeletion('agent.delete', agentId, startedAt, result, drift);
  return view.finished(deletionOutcome('agent.delete', result, { agentId }, drift));
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
  const view = new OperationView(
    workflowInfo().workflowId,
    'session.delete',
    `delete session ${sessionId}`,
  );
  const before = await reads.snapshotOperation({
    operationId: workflowInfo().workflowId,
    operationType: 'session.delete',
    subjectId: sessionId,
    repo: session.repo,
    pids: session.watcherPid ? [session.watcherPid] : [],
  });
  const saga = new Saga({ onChange: view.onLedger });
  const undo = (
    actionType: string,
    priority: number,
    activity: keyof AgentActivities,
    args: object,
  ) => saga.register({ actionType, resourceId: sessionId, priority, activity, args: [args] });
  undo('remove_record', 100, 'removeSessionRecord', { sessionId });
  undo('remove_session_dir', 80, 'removeSessionDir', { sessionId });
  if (session.repo) undo('git_cleanup', 70, 'detachSessionGit', { sessionId, repo: session.repo });
  undo('monitoring_cleanup', 60, 'stopSessionWatcher', { sessionId });
  const startedAt = Date.now();
  const result = await saga.compensate();
  const drift = await leftovers(before);
  await auditDeletion('session.delete', sessionId, startedAt, result, drift);
  return view.finished(deletionOutcome('session.delete', result, { sessionId }, drift));
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
