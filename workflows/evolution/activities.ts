/** The activities evolution workflows call, with named timeout and retry profiles. */
import { proxyActivities } from '@temporalio/workflow';
import type { EvolutionActivities } from '../../activities/evolution';
import type { JudgeActivities } from '../../activities/judge';
import type { CheckpointActivities } from '../../domain/checkpointStore';

/**
 * Checkpoint store calls: quick, idempotent reads and atomic writes. They
 * heartbeat every 5 s, so a lost worker is noticed after 20 s.
 */
const STORE = {
  startToCloseTimeout: '5 minutes',
  heartbeatTimeout: '20 seconds',
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

/**
 * The durable event log under the data dir: a local append gets a few quick
 * tries; past them the cycle keeps the events and appends them at its next flush.
 */
const EVENT_LOG = {
  startToCloseTimeout: '1 minute',
  retry: { maximumAttempts: 3, initialInterval: '500 milliseconds', backoffCoefficient: 2 },
} as const;

/**
 * A sink (JSONL file, webhook) gets a few quick tries; past them the cycle
 * keeps its cursor and tries again later with its own backoff, never waiting.
 */
const SINK = {
  startToCloseTimeout: '30 seconds',
  retry: { maximumAttempts: 3, initialInterval: '1 second', backoffCoefficient: 2 },
} as const;

export const store = proxyActivities<CheckpointActivities>(STORE);
export const patches =
  proxyActivities<Pick<EvolutionActivities, 'listPatches' | 'prepareWorkspace'>>(STORE);

/**
 * Applying a candidate changes the workspace, so it is never retried by
 * Temporal: a lost worker is noticed by the missed heartbeat, and the
 * iteration restores the pre-candidate checkpoint before it tries again.
 */
export function candidates(timeoutSec: number) {
  return proxyActivities<Pick<EvolutionActivities, 'applyPatch' | 'runMutator'>>({
    ...commandProfile(timeoutSec),
    retry: { maximumAttempts: 1 },
  });
}
/**
 * `autoCleanup` after an iteration: it removes checkpoint directories and does
 * not heartbeat, so a long start-to-close; a few tries, then the cycle logs it and goes on.
 */
export const cleanup = proxyActivities<Pick<EvolutionActivities, 'autoCleanup'>>({
  startToCloseTimeout: '30 minutes',
  retry: { maximumAttempts: 3, initialInterval: '1 second', backoffCoefficient: 2 },
});
export const eventLog = proxyActivities<Pick<EvolutionActivities, 'appendEventLog'>>(EVENT_LOG);
export const sinks = proxyActivities<Pick<EvolutionActivities, 'deliverEvents'>>(SINK);
/** The module's metric history from earlier cycles (a read of the data dir). */
export const metricHistory =
  proxyActivities<Pick<EvolutionActivities, 'loadJudgeHistory'>>(EVENT_LOG);

export function commands(timeoutSec: number) {
  return proxyActivities<
    Pick<EvolutionActivities, 'runTests' | 'runGate' | 'runSmokeCheck' | 'collectMetrics'>
  >(commandProfile(timeoutSec));
}

/**
 * The same-window judge: up to 2 × maxRounds runs of the metrics command plus
 * the tree swaps between them, in one activity that heartbeats while each run
 * goes and at each swap. A lost worker's attempt is tried once more: the
 * activity starts by killing the lost attempt's commands and swaps every side in.
 */
export function judge(timeoutSec: number, maxRounds: number) {
  return proxyActivities<Pick<JudgeActivities, 'measureIterationWindow'>>({
    startToCloseTimeout: `${2 * maxRounds * (timeoutSec + 30) + 60} seconds`,
    heartbeatTimeout: '30 seconds',
    retry: { maximumAttempts: 2, initialInterval: '1 second' },
  });
}
