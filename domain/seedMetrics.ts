/**
 * Seed 004's Prometheus table (the VersionManager spec's `asm_version_*`)
 * against ratchet's catalogue: one to one, same label sets, ratchet's prefix.
 * README "From the seeds" prints this table; a test holds the three together.
 */
import type { METRICS } from './metrics';

export const SEED_004_METRICS: ReadonlyArray<{
  seed: string;
  ratchet: keyof typeof METRICS;
  labels: readonly string[];
}> = [
  {
    seed: 'asm_version_checkpoints_total',
    ratchet: 'ratchet_version_checkpoints_total',
    labels: ['module_id'],
  },
  {
    seed: 'asm_version_rollbacks_total',
    ratchet: 'ratchet_version_rollbacks_total',
    labels: ['module_id', 'reason'],
  },
  {
    seed: 'asm_version_breaking_changes_total',
    ratchet: 'ratchet_version_breaking_changes_total',
    labels: ['module_id'],
  },
  {
    seed: 'asm_version_pending_approvals',
    ratchet: 'ratchet_version_pending_approvals',
    labels: [],
  },
  {
    seed: 'asm_version_lineage_depth',
    ratchet: 'ratchet_version_lineage_depth',
    labels: ['module_id'],
  },
];
