/**
 * The seeds' version metrics, emitted through the workflow metric meter so
 * they are replay-safe and exported by the worker's Prometheus endpoint.
 * Created on first use: the meter exists only inside a workflow (the client
 * imports this module too, for types).
 */
import { metricMeter } from '@temporalio/workflow';

function create() {
  return {
    checkpoints: metricMeter.createCounter(
      'ratchet_version_checkpoints_total',
      'checkpoints',
      'checkpoints taken',
    ),
    rollbacks: metricMeter.createCounter(
      'ratchet_version_rollbacks_total',
      'rollbacks',
      'rollbacks performed',
    ),
    breakingChanges: metricMeter.createCounter(
      'ratchet_version_breaking_changes_total',
      'changes',
      'candidates assessed BREAKING',
    ),
    pendingApprovals: metricMeter.createGauge(
      'ratchet_version_pending_approvals',
      'int',
      'approvals',
      'candidates waiting for a human',
    ),
    lineageDepth: metricMeter.createGauge(
      'ratchet_version_lineage_depth',
      'int',
      'versions',
      'versions in the lineage',
    ),
  };
}

let metrics: ReturnType<typeof create> | undefined;

export function versionMetrics(): ReturnType<typeof create> {
  metrics ??= create();
  return metrics;
}
