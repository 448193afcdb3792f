/** Typed client functions for the health workflow, for the CLI and client scripts. */
import type { Client, WorkflowHandle } from '@temporalio/client';
import { healthCheck, releaseSignal, type HealthCheckInput } from '../workflows/health';

export async function startHealthCheck(
  client: Client,
  taskQueue: string,
  input: HealthCheckInput = {},
  workflowId = `health-${Date.now().toString(36)}`,
): Promise<WorkflowHandle<typeof healthCheck>> {
  return client.workflow.start(healthCheck, {
    taskQueue,
    workflowId,
    args: [input],
    workflowExecutionTimeout: `${(input.holdSeconds ?? 0) + 60} seconds`,
    staticSummary: input.holdSeconds
      ? `health check, held ${input.holdSeconds}s for a release signal`
      : 'health check',
  });
}

export async function releaseHealthCheck(
  client: Client,
  workflowId: string,
  by?: string,
): Promise<void> {
  await client.workflow.getHandle(workflowId).signal(releaseSignal, { by });
}
