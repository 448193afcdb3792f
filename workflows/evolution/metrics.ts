/**
 * The seeds' version metrics, emitted through the workflow metric meter so
 * they are replay-safe and exported by the worker's Prometheus endpoint.
 */
import { metricMeter } from '@temporalio/workflow';

export const versionMetrics = {
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
