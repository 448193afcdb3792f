/**
 * The end of a failed or cancelled create: compensate, then prove it — the
 * world read again and compared with the snapshot taken before the first
 * step, the rollback audited, the outcome published — and fail the run with
 * that outcome. A snapshot that is invalid is refused before anything is undone.
 */
import { ApplicationFailure, CancellationScope, isCancellation } from '@temporalio/workflow';
import type { OperationOutcome } from '../../domain/operations';
import {
  diffOperationSnapshots,
  snapshotProblems,
  type OperationSnapshot,
} from '../../domain/operationSnapshot';
import type { CompensationOutcome } from '../../domain/saga';
import type { Saga } from '../saga/engine';
import { failureMessage, type OperationSteps } from '../saga/operation';
import { audit, reads, type OperationBase } from './common';

/**
 * After a failure or cancellation: refuse when the snapshot is invalid,
 * else compensate, compare the world with the snapshot, audit, report — and
 * fail the run with it.
 */
export async function compensateAndReport(
  err: unknown,
  saga: Saga,
  op: OperationSteps,
  base: OperationBase,
  before: OperationSnapshot,
  startedPids: () => Array<number | null>,
  publish: (o: OperationOutcome) => void,
): Promise<never> {
  if (!op.error) op.error = failureMessage(err);
  const startedAt = Date.now();
  const subjectId = String(base.resources.agentId ?? base.resources.sessionId ?? '');
  const problems = snapshotProblems(before, {
    operationId: base.workflowId,
    operationType: base.operation,
    now: startedAt,
  });
  if (problems.length) {
    const message = `refusing to compensate ${base.workflowId}: its snapshot is invalid (${problems.join('; ')})`;
    const outcome: OperationOutcome = {
      ...base,
      status: 'compensation_incomplete',
      failedStep: op.failedStep,
      error: op.error,
      steps: op.steps,
      compensations: [],
      cleanupCompleteness: 0,
      registryDrift: [message],
    };
    publish(outcome);
    await audit({
      operationId: base.workflowId,
      operation: base.operation,
      subjectId,
      startedAt,
      finishedAt: Date.now(),
      compensations: [],
      cleanupCompleteness: 0,
      drift: [],
      criticalError: `RollbackStateError: ${message}`,
    });
    throw ApplicationFailure.create({
      type: 'RollbackStateError',
      message,
      nonRetryable: true,
      details: [outcome],
    });
  }
  const compensation: CompensationOutcome = await saga.compensate();
  let drift: string[];
  try {
    const after = await CancellationScope.nonCancellable(() =>
      reads.resnapshotOperation({ before, pids: startedPids() }),
    );
    drift = diffOperationSnapshots(before, after);
  } catch (e) {
    drift = [`registry unreadable, cannot verify: ${failureMessage(e)}`];
  }
  const outcome: OperationOutcome = {
    ...base,
    status: compensation.status,
    failedStep: op.failedStep,
    error: op.error,
    steps: op.steps,
    compensations: compensation.compensations,
    cleanupCompleteness: compensation.cleanupCompleteness,
    registryDrift: drift,
  };
  publish(outcome);
  await audit({
    operationId: base.workflowId,
    operation: base.operation,
    subjectId,
    startedAt,
    finishedAt: Date.now(),
    compensations: compensation.compensations,
    cleanupCompleteness: compensation.cleanupCompleteness,
    drift,
  });
  if (isCancellation(err)) throw err;
  throw ApplicationFailure.create({
    type: compensation.status === 'compensated' ? 'OperationCompensated' : 'CompensationIncomplete',
    message: `${base.operation} failed at ${op.failedStep ?? 'a step'} (${op.error}); ${compensation.status}, cleanup ${compensation.cleanupCompleteness} %`,
    nonRetryable: true,
    details: [outcome],
  });
}
