/** The service activities as workflows call them, with named profiles. */
import {
  ActivityCancellationType,
  proxyActivities,
  type ActivityOptions,
} from '@temporalio/workflow';
import type { ServiceActivities } from '../../activities/services';
import type { CheckpointActivities } from '../../domain/checkpointStore';

/**
 * The supervisor runs as long as the copy does. A 5 s heartbeat timeout
 * notices a killed worker quickly; the retry starts the supervisor on another
 * worker, which adopts the copy still running. Crash-looping is final.
 */
const SUPERVISOR: ActivityOptions = {
  startToCloseTimeout: '3650 days',
  heartbeatTimeout: '5 seconds',
  cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
  retry: {
    initialInterval: '500 milliseconds',
    maximumInterval: '10 seconds',
    nonRetryableErrorTypes: ['ServiceCrashLooping'],
  },
};

/**
 * Probes (≤ 5 s), stops (grace + kill ≤ ~10 s), ports and records: short and
 * idempotent, so a tight limit notices a lost worker quickly and retries.
 */
const QUICK = {
  startToCloseTimeout: '20 seconds',
  retry: { maximumAttempts: 3, initialInterval: '500 milliseconds' },
} as const;

/** Checking a version out of the store can take a while on a big tree. */
const MATERIALIZE = {
  startToCloseTimeout: '10 minutes',
  retry: { maximumAttempts: 3, initialInterval: '1 second' },
} as const;

export const supervisor = proxyActivities<Pick<ServiceActivities, 'superviseService'>>(SUPERVISOR);
export const services =
  proxyActivities<
    Pick<
      ServiceActivities,
      | 'stopServiceCopy'
      | 'probeServiceCopy'
      | 'freePort'
      | 'recordRevert'
      | 'serviceCopies'
      | 'moduleSettings'
    >
  >(QUICK);
export const releases = proxyActivities<Pick<ServiceActivities, 'materializeVersion'>>(MATERIALIZE);
export const lineage =
  proxyActivities<Pick<CheckpointActivities, 'getLineage' | 'setVersionStatus'>>(QUICK);
