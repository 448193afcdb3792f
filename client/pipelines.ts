/** Typed client functions for step pipelines. */
import path from 'node:path';
import { WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { defineSearchAttributeKey } from '@temporalio/common';
import type { Lane, Pipeline } from '../domain/pipeline';
import {
  operatorUpdate,
  pipelineRun,
  pipelineStatusQuery,
  type OperatorAction,
  type PipelineStatus,
} from '../workflows/pipeline';

const OPERATION_KEY = defineSearchAttributeKey('RatchetOperation', 'KEYWORD');

export async function startPipeline(
  client: Client,
  taskQueue: string,
  input: {
    pipeline: Pipeline;
    workspace: string;
    lane: Lane;
    moduleId?: string;
    fromStep?: string;
    fromCheckpoint?: string;
  },
) {
  const workspace = path.resolve(input.workspace);
  const slug = input.pipeline.name.toLowerCase().replace(/[^a-z0-9-]+/g, '-');
  return client.workflow.start(pipelineRun, {
    taskQueue,
    workflowId: `pipeline-${slug}-${Date.now().toString(36)}`,
    args: [{ ...input, workspace }],
    typedSearchAttributes: [{ key: OPERATION_KEY, value: 'pipeline' }],
    staticSummary: `pipeline ${input.pipeline.name} (${input.lane}) on ${workspace}${
      input.fromCheckpoint
        ? ` from checkpoint ${input.fromCheckpoint}`
        : input.fromStep
          ? ` from step ${input.fromStep}`
          : ''
    }`,
  });
}

export async function pipelineStatus(client: Client, workflowId: string): Promise<PipelineStatus> {
  return client.workflow.getHandle(workflowId).query(pipelineStatusQuery);
}

export async function sendPipelineAction(
  client: Client,
  workflowId: string,
  action: OperatorAction,
): Promise<void> {
  try {
    await client.workflow
      .getHandle(workflowId)
      .executeUpdate(operatorUpdate, { args: [{ action }] });
  } catch (err) {
    if (err instanceof WorkflowUpdateFailedError)
      throw new Error(`refused: ${err.cause?.message ?? err.message}`);
    throw err;
  }
}
