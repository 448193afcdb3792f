/** What `npm start` shows once the worker is up: a real run, linked in the Web UI. */
import type { Client } from '@temporalio/client';
import { workflowUiUrl, type Settings } from '../config/settings';
import { startHealthCheck } from './health';
import { progress } from './output';

export async function runDemo(client: Client, settings: Settings): Promise<void> {
  const handle = await startHealthCheck(
    client,
    settings.taskQueue,
    {},
    `demo-health-${Date.now().toString(36)}`,
  );
  progress(
    `Demo: health check ${handle.workflowId} — ${workflowUiUrl(settings, handle.workflowId)}`,
  );
  const result = await handle.result();
  progress(
    `Demo: worker ${result.worker.hostname} pid ${result.worker.pid} answered on "${result.worker.taskQueue}".`,
  );
}
