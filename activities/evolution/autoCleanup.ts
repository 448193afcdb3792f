/**
 * The seeds' `auto_cleanup` with `max_checkpoints`: after an iteration, keep
 * at most `maxCheckpoints` of the module's checkpoints (the module's own
 * `maxCheckpoints` when unset). The retention rules decide (domain/retention.ts):
 * stable versions, the active one and its ancestors down to the newest stable
 * are never removed, whatever the count. Count only: the module's age limit is
 * `ratchet checkpoint cleanup`'s business, not something to apply mid-cycle.
 */
import { CheckpointStore, cleanupCheckpoints, type CleanupResult } from '../checkpoints';

export async function autoCleanup(
  dataDir: string,
  input: { moduleId: string; maxCheckpoints?: number },
): Promise<CleanupResult> {
  return cleanupCheckpoints(new CheckpointStore(dataDir), {
    moduleId: input.moduleId,
    ...(input.maxCheckpoints !== undefined ? { keep: input.maxCheckpoints } : {}),
    maxAgeMs: Number.POSITIVE_INFINITY,
  });
}
