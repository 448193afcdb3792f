/**
 * ratchet's metric catalogue: every name the worker's Prometheus endpoint
 * exports, with its kind, labels and closed label values. Dashboards
 * (ops/grafana) and alert rules (ops/prometheus) may only use these names —
 * a test parses them and checks. Labels are a module id or a closed enum,
 * never free text: free text would make an unbounded number of series.
 */
import { FAILURE_TYPES, STRATEGIES } from './pipeline/schema';

/** Why a version was reverted; shared with the hot-swap issue (closed). */
export const REVERT_REASONS = [
  'MANUAL',
  'HEALTH_FAILURE',
  'REGRESSION',
  'TEST_FAILURE',
  'BREAKING',
  'TIMEOUT',
  'DEPENDENCY',
  'VERIFICATION_FAILURE',
] as const;
export type RevertReason = (typeof REVERT_REASONS)[number];

export const SAGA_OPERATIONS = [
  'agent.create',
  'agent.delete',
  'session.create',
  'session.delete',
  'evolution.iteration',
] as const;
export const SAGA_OUTCOMES = ['completed', 'compensated', 'compensation_incomplete'] as const;
export const COMPENSATION_OUTCOMES = ['succeeded', 'failed', 'skipped'] as const;
export const RECOVERY_OUTCOMES = ['succeeded', 'failed'] as const;
export const CYCLE_DECISIONS = [
  'accepted',
  'rejected',
  'rolled_back',
  'awaiting_approval',
  'inconclusive',
] as const;

export type MetricKind = 'counter' | 'gauge' | 'histogram';

export interface MetricSpec {
  kind: MetricKind;
  help: string;
  /** Label names (besides the SDK's own namespace, taskQueue and workflowType on workflow metrics). */
  labels: readonly string[];
  /** Histogram bucket boundaries (the SDK's default buckets are milliseconds). */
  buckets?: readonly number[];
}

const SECONDS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600];

export const METRICS = {
  ratchet_version_checkpoints_total: {
    kind: 'counter',
    help: 'Checkpoints created, by module.',
    labels: ['module_id'],
  },
  ratchet_version_rollbacks_total: {
    kind: 'counter',
    help: 'Versions rolled back or reverted, by module and reason (closed enum).',
    labels: ['module_id', 'reason'],
  },
  ratchet_version_breaking_changes_total: {
    kind: 'counter',
    help: 'Compatibility checks that found a breaking change, by module.',
    labels: ['module_id'],
  },
  ratchet_version_pending_approvals: {
    kind: 'gauge',
    help: 'Runs waiting for a human decision on this worker’s task queue (from Temporal visibility).',
    labels: [],
  },
  ratchet_version_lineage_depth: {
    kind: 'gauge',
    help: 'Versions in the module’s lineage (from the checkpoint store on disk).',
    labels: ['module_id'],
  },
  ratchet_cycle_iterations_total: {
    kind: 'counter',
    help: 'Evolution iterations finished, by module and decision.',
    labels: ['module_id', 'decision'],
  },
  ratchet_cycle_time_to_verdict_seconds: {
    kind: 'histogram',
    help: 'From the start of an iteration to its verdict.',
    labels: ['module_id'],
    buckets: SECONDS,
  },
  ratchet_judge_effect: {
    kind: 'histogram',
    help: 'Size of the judged relative effects (|candidate/baseline - 1|), by direction.',
    labels: ['direction'],
    buckets: [0.001, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1],
  },
  ratchet_cycles_needing_attention: {
    kind: 'gauge',
    help: 'Evolution cycles parked in needs_attention (from Temporal visibility).',
    labels: [],
  },
  ratchet_saga_operations_total: {
    kind: 'counter',
    help: 'Saga operations finished, by operation and outcome.',
    labels: ['operation', 'outcome'],
  },
  ratchet_saga_compensations_total: {
    kind: 'counter',
    help: 'Compensations run, by action type and outcome.',
    labels: ['action_type', 'outcome'],
  },
  ratchet_saga_cleanup_completeness: {
    kind: 'gauge',
    help: 'Cleanup completeness (0–100) of the latest compensated operation of each kind (from Temporal visibility).',
    labels: ['operation'],
  },
  ratchet_saga_compensation_duration_seconds: {
    kind: 'histogram',
    help: 'Duration of one compensation, all its attempts included.',
    labels: ['action_type', 'outcome'],
    buckets: SECONDS,
  },
  ratchet_pipeline_failures_total: {
    kind: 'counter',
    help: 'Pipeline step failures, by classified failure type.',
    labels: ['failure_type'],
  },
  ratchet_pipeline_recoveries_total: {
    kind: 'counter',
    help: 'Recovery strategies applied, by strategy and whether the step then went on.',
    labels: ['strategy', 'outcome'],
  },
} as const satisfies Record<string, MetricSpec>;

export type MetricName = keyof typeof METRICS;

/** Closed label values, checked before a sample is recorded (anything else becomes `other`). */
export const LABEL_VALUES: Record<string, readonly string[]> = {
  reason: REVERT_REASONS,
  operation: SAGA_OPERATIONS,
  outcome: [...new Set([...SAGA_OUTCOMES, ...COMPENSATION_OUTCOMES, ...RECOVERY_OUTCOMES])],
  failure_type: FAILURE_TYPES,
  strategy: STRATEGIES,
  decision: CYCLE_DECISIONS,
  direction: ['improvement', 'regression', 'none'],
};

const MODULE_OR_ACTION = /^[A-Za-z0-9._-]{1,64}$/;

/**
 * The value a label may carry: a member of its closed enum, or for module ids
 * and action types (code- or operator-chosen identifiers, one per module or
 * compensation kind) a short identifier — anything else is `other`.
 */
export function boundedLabel(label: string, value: unknown): string {
  const text = String(value);
  const allowed = LABEL_VALUES[label];
  if (allowed) return allowed.includes(text) ? text : 'other';
  return MODULE_OR_ACTION.test(text) ? text : 'other';
}

/**
 * The SDK's own metrics that alerts and dashboards use: served on the same
 * endpoint (the scrape test checks they are there). `up` is written by
 * Prometheus itself for every scrape target.
 */
export const SDK_METRICS = ['temporal_num_pollers'] as const;
export const SCRAPE_METRICS = ['up'] as const;

/** Everything a metric name may appear as in the exposition (histograms add suffixes). */
export function exportedSeriesNames(): Set<string> {
  const names = new Set<string>([...SDK_METRICS, ...SCRAPE_METRICS]);
  for (const [name, spec] of Object.entries(METRICS)) {
    names.add(name);
    if (spec.kind === 'histogram')
      for (const s of ['_bucket', '_sum', '_count']) names.add(`${name}${s}`);
  }
  return names;
}

/** Bucket overrides for the SDK's Prometheus exporter. */
export function histogramBuckets(): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  for (const [name, spec] of Object.entries(METRICS) as [string, MetricSpec][])
    if (spec.buckets) out[name] = [...spec.buckets];
  return out;
}

/**
 * The revert reason a pipeline rollback gets from its classified failure.
 * Only the failure types that mean the same thing map one to one; the rest
 * are the closest of the shared enum.
 */
export function pipelineRevertReason(failureType: string): RevertReason {
  switch (failureType) {
    case 'timeout':
      return 'TIMEOUT';
    case 'test_failure':
      return 'TEST_FAILURE';
    case 'quality_gate_failure':
      return 'REGRESSION';
    case 'network_error':
      return 'DEPENDENCY';
    case 'resource_exhaustion':
      return 'HEALTH_FAILURE';
    default:
      return 'VERIFICATION_FAILURE';
  }
}
