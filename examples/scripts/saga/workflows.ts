/**
 * Your own workflow using ratchet's saga engine:
 *
 *   book flight  ← compensation: cancel flight   (priority 1)
 *   book hotel   ← compensation: cancel hotel    (priority 2)
 *   book car     ← compensation: cancel car      (priority 3)
 *
 * Each compensation is registered BEFORE its step (the step may time out after
 * it booked); on failure they run highest priority first, each retried and
 * recorded, in a non-cancellable scope.
 */
import { proxyActivities } from '@temporalio/workflow';
import { Saga, type CompensationOutcome } from 'ratchet/saga';
import type * as activities from './activities';

const { reserve } = proxyActivities<typeof activities>({
  startToCloseTimeout: '10 seconds',
  retry: { maximumAttempts: 3 },
});

export interface Trip {
  booked: string[];
  compensation: CompensationOutcome | null;
}

export async function bookTrip(input: { dir: string; soldOut?: string }): Promise<Trip> {
  const saga = new Saga();
  const booked: string[] = [];
  try {
    for (const [i, item] of ['flight', 'hotel', 'car'].entries()) {
      saga.register({
        actionType: `cancel_${item}`,
        resourceId: item,
        priority: i + 1,
        activity: 'cancel',
        args: [input.dir, item],
      });
      await reserve(input.dir, item, input.soldOut === item);
      booked.push(item);
    }
    saga.clear(); // done: nothing to undo
    return { booked, compensation: null };
  } catch {
    return { booked, compensation: await saga.compensate() };
  }
}
