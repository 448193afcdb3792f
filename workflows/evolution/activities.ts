/** The activities evolution workflows call, with named timeout and retry profiles. */
import { proxyActivities } from '@temporalio/workflow';
import type { EvolutionActivities } from '../../activities/evolution';
import type { CheckpointActivities } from '../../domain/checkpointStore';

/** Checkpoint store calls: quick, idempotent reads and atomic writes. */
const STORE = {
  startToCloseTimeout: '5 minutes',
  heartbeatTimeout: '1 minute',
  retry: { maximumAttempts: 5, initialInterval: '1 second', backoffCoefficient: 2 },
} as const;

/**
 * A user's command: its own failure is a result, not an error, so retries only
 * cover a lost worker — noticed by a missed heartbeat, then run again elsewhere.
 */
function commandProfile(timeoutSec: number) {
  return {
    startToCloseTimeout: `${timeoutSec + 60} seconds`,
    heartbeatTimeout: '15 seconds',
    retry: { maximumAttempts: 3, initialInterval: '1 second' },
  } as const;
}

/** Event delivery: a webhook may be down for a while. */
const DELIVERY = {
  startToCloseTimeout: '30 seconds',
  retry: {
    maximumAttempts: 10,
    initialInterval: '2 seconds',
    backoffCoefficient: 2,
    maximumInterval: '1 minute',
  },
} as const;

export const store = proxyActivities<CheckpointActivities>(STORE);
export const patches =
  proxyActivities<Pick<EvolutionActivities, 'listPatches' | 'applyPatch'>>(STORE);
export const delivery =
  proxyActivities<Pick<EvolutionActivities, 'recordEvents' | 'postEventsToWebhook'>>(DELIVERY);

export function commands(timeoutSec: number) {
  return proxyActivities<
    Pick<
      EvolutionActivities,
      'runTests' | 'runGate' | 'runSmokeCheck' | 'collectMetrics' | 'runMutator'
    >
  >(commandProfile(timeoutSec));
}
