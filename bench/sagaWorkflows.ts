/**
 * Workflows for the saga benchmark only (bundled by bench/saga.bench.ts, not
 * by the ratchet worker): the same ten steps and ten undos, once through the
 * saga engine and once as plain activity calls.
 */
import { ApplicationFailure, proxyActivities } from '@temporalio/workflow';
import { Saga } from '../workflows/saga/engine';

interface BenchActivities {
  benchStep(i: number, fail: boolean): Promise<void>;
  benchUndo(i: number): Promise<void>;
}

const acts = proxyActivities<BenchActivities>({
  startToCloseTimeout: '10 seconds',
  retry: { maximumAttempts: 1 },
});

export async function sagaRun(steps: number): Promise<number> {
  const saga = new Saga();
  try {
    for (let i = 0; i < steps; i++) {
      saga.register({
        actionType: 'undo',
        resourceId: String(i),
        priority: i,
        activity: 'benchUndo',
        args: [i],
      });
      await acts.benchStep(i, i === steps - 1);
    }
  } catch {
    const outcome = await saga.compensate();
    return outcome.compensations.length;
  }
  throw ApplicationFailure.nonRetryable('the last step should have failed');
}

export async function plainRun(steps: number): Promise<number> {
  let done = 0;
  try {
    for (let i = 0; i < steps; i++) {
      await acts.benchStep(i, i === steps - 1);
      done++;
    }
  } catch {
    for (let i = steps - 1; i >= 0; i--) await acts.benchUndo(i);
    return steps;
  }
  return done;
}
