/**
 * A compensating agent creation seen from outside while it compensates: the
 * `ledger` query (and `ratchet agent status ID --json`) lists every
 * registered compensation with its live status — one running, the ones
 * before it done, the ones after it pending — not only the final outcome.
 * The run's current details carry the same ledger as Markdown, its search
 * attributes say how it ended, and its activities and timers have summaries.
 */
import path from 'node:path';
import { WorkflowFailedError } from '@temporalio/client';
import { defaultPayloadConverter, type ApplicationFailure } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAlive } from '../../activities/infra/processes';
import { operationLedger } from '../../client/operations';
import type { OperationOutcome } from '../../domain/operations';
import type { LiveOperation } from '../../domain/sagaLedger';
import { CLEANUP_COMPLETENESS_KEY, OPERATION_KEY, STATE_KEY } from '../../domain/searchAttributes';
import { agentCreate } from '../../workflows/agents';
import { createTestEnv, taskQueueFor, type TestEnv } from '../helpers';
import { ratchetCli } from '../support/cli';

describe('the live compensation ledger', () => {
  let env: TestEnv;
  beforeAll(async () => {
    env = await createTestEnv();
  });
  afterAll(async () => env?.teardown());

  it('shows each compensation pending, running, then done while the operation compensates', async () => {
    const dataDir = path.join(env.tempDir('ratchet-ledger-'), 'data');
    const taskQueue = taskQueueFor('ledger');
    const worker = await env.createWorker(taskQueue, { dataDir });
    await worker.runUntil(async () => {
      const workflowId = `agent-create-ledger-${Date.now().toString(36)}`;
      // The agent ignores SIGTERM and never heartbeats: the health check fails, and
      // terminate_process then waits out its grace period before SIGKILL — a window
      // in which that compensation is visibly running.
      const handle = await env.client.workflow.start(agentCreate, {
        taskQueue,
        workflowId,
        args: [
          { name: 'stubborn', command: `trap '' TERM; exec sleep 120`, healthTimeoutMs: 500 },
        ] as never,
        typedSearchAttributes: [{ key: OPERATION_KEY, value: 'agent.create' }],
      });
      const seen: LiveOperation[] = [];
      await expect
        .poll(
          async () => {
            const live = await operationLedger(env.client, workflowId);
            if (live) seen.push(live);
            return live?.compensations.find((c) => c.actionType === 'terminate_process')?.status;
          },
          { timeout: 60_000, interval: 100 },
        )
        .toBe('running');
      const during = seen[seen.length - 1]!;
      expect(during.phase).toBe('compensating');
      expect(during.steps.find((s) => s.name === 'health_check')?.status).toBe('failed');
      const status = Object.fromEntries(during.compensations.map((c) => [c.actionType, c.status]));
      expect(status).toEqual({
        remove_record: 'succeeded',
        terminate_process: 'running',
        release_quota: 'pending',
        remove_state: 'pending',
        remove_session_dir: 'pending',
        remove_agent_folder: 'pending',
      });
      // Listed in the order they run: highest priority first.
      expect(during.compensations.map((c) => c.priority)).toEqual([100, 95, 80, 70, 60, 10]);
      // Before compensation began, the ledger listed them as pending as they were registered.
      const registering = seen.find((s) => s.phase === 'running' && s.compensations.length > 0);
      if (registering)
        expect(registering.compensations.every((c) => c.status === 'pending')).toBe(true);

      // The CLI shows the same, as JSON, while it is still running.
      const cli = await ratchetCli(['agent', 'status', workflowId, '--json'], {
        TEMPORAL_ADDRESS: env.address,
        RATCHET_TASK_QUEUE: taskQueue,
        RATCHET_DATA_DIR: dataDir,
      });
      expect(cli.code).toBe(0);
      const fromCli = JSON.parse(cli.stdout) as LiveOperation;
      expect(fromCli.workflowId).toBe(workflowId);
      expect(fromCli.compensations.map((c) => c.actionType)).toEqual(
        during.compensations.map((c) => c.actionType),
      );

      const failure = (await handle.result().catch((e: unknown) => e)) as WorkflowFailedError;
      expect(failure).toBeInstanceOf(WorkflowFailedError);
      const outcome = (failure.cause as ApplicationFailure).details?.[0] as OperationOutcome;
      expect(await isAlive(Number(outcome.resources.pid))).toBe(false);
      const after = (await operationLedger(env.client, workflowId))!;
      expect(after.phase).toBe('compensated');
      expect(after.compensations.every((c) => ['succeeded', 'skipped'].includes(c.status))).toBe(
        true,
      );
      expect(after.compensations.find((c) => c.actionType === 'terminate_process')?.status).toBe(
        'succeeded',
      );

      // Search attributes and current details say how it ended.
      const description = await handle.describe();
      expect(description.typedSearchAttributes.get(STATE_KEY)).toBe('compensated');
      expect(description.typedSearchAttributes.get(CLEANUP_COMPLETENESS_KEY)).toBe(100);
      const metadata = await handle.query<{ currentDetails?: string }>(
        '__temporal_workflow_metadata',
      );
      expect(metadata.currentDetails).toContain('**compensation ledger**');
      expect(metadata.currentDetails).toMatch(/\| terminate_process \| 95 \| succeeded \| 1 \|/);
      expect(metadata.currentDetails).toContain('**cleanup completeness:** 100 %');

      // Every activity in the history has a summary in the domain's words.
      const summaries: string[] = [];
      for (const event of (await handle.fetchHistory()).events ?? []) {
        if (!event.activityTaskScheduledEventAttributes) continue;
        const payload = event.userMetadata?.summary;
        expect(payload, 'activity without a summary').toBeTruthy();
        summaries.push(defaultPayloadConverter.fromPayload<string>(payload!));
      }
      expect(summaries).toEqual(
        expect.arrayContaining([
          'reserve registry record ' + after.compensations[0]!.resourceId,
          'allocate 512 MB quota',
          "spawn trap '' TERM; exec sleep 120",
          'health check (up to 500 ms)',
          'compensate remove_record (priority 100)',
          'compensate terminate_process (priority 95)',
        ]),
      );
    });
  });
});
