/**
 * The cluster test's routing check (test/cluster/histories.ts) catches what it
 * is there to catch: an activity on another host's queue, one started by
 * another host's worker, a run with no owner — and passes a clean history.
 */
import { describe, expect, it } from 'vitest';
import { activitiesOf, routingViolations, type RunRecord } from '../cluster/histories';

const options = {
  hostQueue: (id: string) => `ratchet@${id}`,
  identitiesOf: (id: string) => new Set(id === 'a' ? ['1@m', '3@m'] : ['2@m']),
  isHostBound: (type: string) => type !== 'reportWorkerHealth',
};

const run = (owner: string | undefined, activities: RunRecord['activities']): RunRecord => ({
  workflowId: 'wf',
  runId: 'r',
  type: 'agentCreate',
  status: 'COMPLETED',
  owner,
  activities,
});

describe('routing check of the cluster test', () => {
  it('reads the queue and the last attempt’s worker from a history', () => {
    const events = [
      {
        eventId: 5,
        activityTaskScheduledEventAttributes: {
          activityType: { name: 'x' },
          taskQueue: { name: 'ratchet@a' },
        },
      },
      {
        eventId: 6,
        activityTaskStartedEventAttributes: { scheduledEventId: 5, identity: '3@m', attempt: 2 },
      },
      {
        eventId: 7,
        activityTaskScheduledEventAttributes: {
          activityType: { name: 'y' },
          taskQueue: { name: 'ratchet@a' },
        },
      },
    ];
    expect(activitiesOf(events as never)).toEqual([
      { type: 'x', queue: 'ratchet@a', identity: '3@m', attempt: 2 },
      { type: 'y', queue: 'ratchet@a', identity: undefined, attempt: undefined },
    ]);
  });

  it('passes runs whose host-bound work stayed on the owner', () => {
    const runs = [
      run('a', [
        { type: 'x', queue: 'ratchet@a', identity: '1@m', attempt: 1 },
        { type: 'x', queue: 'ratchet@a', identity: '3@m', attempt: 2 },
        { type: 'reportWorkerHealth', queue: 'ratchet', identity: '2@m', attempt: 1 },
      ]),
      run('b', [{ type: 'y', queue: 'ratchet@b', identity: '2@m', attempt: 1 }]),
    ];
    expect(routingViolations(runs, options)).toEqual([]);
  });

  it('names a wrong queue, a wrong worker and a missing owner', () => {
    const runs = [
      run('a', [
        { type: 'x', queue: 'ratchet', identity: '1@m', attempt: 1 },
        { type: 'y', queue: 'ratchet@a', identity: '2@m', attempt: 1 },
      ]),
      run(undefined, []),
    ];
    expect(routingViolations(runs, options)).toEqual([
      'wf: x scheduled on ratchet, owner a',
      'wf: y ran on 2@m, not a worker of a',
      'wf: no owner recorded',
    ]);
  });
});
