/**
 * `healthCheck`: the smallest real round trip — a workflow that asks a worker
 * for its health and, when asked to hold, waits for an operator's `release`
 * signal. `ratchet ping` and `ratchet doctor` use it.
 */
import {
  condition,
  defineQuery,
  defineSignal,
  proxyActivities,
  setHandler,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { WorkerHealth } from '../activities/health';

const { reportWorkerHealth } = proxyActivities<Activities>({
  startToCloseTimeout: '10 seconds',
  retry: { maximumAttempts: 3 },
});

export interface HealthCheckInput {
  /** Seconds to wait for a `release` signal before finishing; 0 = don't wait. */
  holdSeconds?: number;
}

export interface HealthCheckResult {
  worker: WorkerHealth;
  released: boolean;
  releasedBy?: string;
}

export const releaseSignal = defineSignal<[{ by?: string }]>('release');
export const heldQuery = defineQuery<boolean>('held');

export async function healthCheck(input: HealthCheckInput = {}): Promise<HealthCheckResult> {
  const worker = await reportWorkerHealth();
  let releasedBy: string | undefined;
  let released = false;
  let holding = false;
  setHandler(releaseSignal, ({ by }) => {
    released = true;
    releasedBy = by ?? 'operator';
  });
  setHandler(heldQuery, () => holding);
  if (input.holdSeconds && input.holdSeconds > 0) {
    holding = true;
    await condition(() => released, `${input.holdSeconds} seconds`, {
      summary: `wait up to ${input.holdSeconds}s for a release signal`,
    });
    holding = false;
  }
  return { worker, released, releasedBy };
}
