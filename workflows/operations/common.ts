/**
 * What every agent and session operation shares: its outcome query, the
 * activity proxies and their timeouts, input parsing, the temporary-file
 * cleanup and the rollback audit.
 */
import {
  ApplicationFailure,
  CancellationScope,
  defineQuery,
  log,
  proxyActivities,
} from '@temporalio/workflow';
import type { z } from 'zod';
import type { AgentActivities } from '../../activities/agents';
import type { OperationOutcome } from '../../domain/operations';
import type { Saga } from '../saga/engine';
import { failureMessage } from '../saga/operation';

export const outcomeQuery = defineQuery<OperationOutcome | null>('outcome');

/** The fields every outcome of one operation carries. */
export type OperationBase = Pick<OperationOutcome, 'workflowId' | 'operation' | 'resources'>;

const READS = { startToCloseTimeout: '30 seconds', retry: { maximumAttempts: 5 } } as const;
/** Reads and bookkeeping: snapshots, the registry, the audit. */
export const reads = proxyActivities<AgentActivities>(READS);

/**
 * A compensation attempt lost with its worker is retried once this expires: as
 * short as the steps' own timeout, but long enough to stop a stubborn process
 * (SIGTERM, grace, SIGKILL).
 */
export const compensationTimeoutMs = (stepTimeoutMs: number) => Math.max(stepTimeoutMs, 10_000);

export function stepActivities(stepTimeoutMs: number) {
  return proxyActivities<AgentActivities>({
    startToCloseTimeout: stepTimeoutMs,
    retry: { maximumAttempts: 3, initialInterval: '200 milliseconds', backoffCoefficient: 2 },
  });
}

export function parse<S extends z.ZodType>(schema: S, raw: unknown): z.infer<S> {
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    throw ApplicationFailure.create({
      type: 'InvalidOperationInput',
      message: parsed.error.issues
        .map((i) => `${i.path.join('.') || 'input'}: ${i.message}`)
        .join('; '),
      nonRetryable: true,
    });
  }
  return parsed.data;
}

/**
 * Runs started before fault injection moved to a header carry failAt/failMode
 * in their input; they must still replay. New input is refused with them at the edge.
 */
export function withoutLegacyFaultKeys(raw: unknown): unknown {
  if (typeof raw !== 'object' || raw === null) return raw;
  const { failAt: _failAt, failMode: _failMode, ...rest } = raw as Record<string, unknown>;
  return rest;
}

/**
 * The seed's add_temporary_file_cleanup: registers the removal of temporary
 * files or folders (priority 60) before the step that may create them.
 */
export function addTemporaryFileCleanup(
  saga: Saga,
  resourceId: string,
  paths: string[],
  repo: string | null = null,
): void {
  if (paths.length === 0) return;
  saga.register({
    actionType: 'remove_temporary_files',
    resourceId,
    priority: 60,
    activity: 'removeTemporaryFiles',
    args: [{ paths, repo }],
    description: `remove temporary files ${paths.join(', ')}`,
  });
}

/** Writes the rollback's audit records; an audit that cannot be written never changes the outcome. */
export async function audit(
  input: Parameters<AgentActivities['recordRollbackAudit']>[0],
): Promise<void> {
  try {
    await CancellationScope.nonCancellable(() => reads.recordRollbackAudit(input));
  } catch (e) {
    log.error('rollback audit not written', {
      operationId: input.operationId,
      error: failureMessage(e),
    });
  }
}
