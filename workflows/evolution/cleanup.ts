/**
 * The seeds' `auto_cleanup` + `max_checkpoints`: after each finished iteration,
 * keep at most maxCheckpoints of the module's checkpoints (retention protects
 * stable versions and the active line). Behind patched() so cycles recorded
 * before it replay; a failure is an event, never the cycle's end.
 */
import { ApplicationFailure, isCancellation, patched } from '@temporalio/workflow';
import { cleanup } from './activities';
import { emit, type CycleRun } from './cycleState';

const AUTO_CLEANUP_PATCH = 'seed-switch-auto-cleanup';

export async function cleanupAfterIteration(run: CycleRun): Promise<void> {
  const { config } = run;
  // `=== true`: configs from before the switch lack the key.
  if (config.autoCleanup !== true || !patched(AUTO_CLEANUP_PATCH)) return;
  try {
    const result = await cleanup.autoCleanup({
      moduleId: config.moduleId,
      ...(config.maxCheckpoints !== undefined ? { maxCheckpoints: config.maxCheckpoints } : {}),
    });
    emit(run, 'CHECKPOINTS_CLEANED_UP', {
      removed: result.removed,
      protected: result.protected.length,
      reclaimedBytes: result.reclaimedBytes,
    });
  } catch (err) {
    if (isCancellation(err)) throw err;
    const cause = (err as { cause?: unknown }).cause;
    const error =
      cause instanceof ApplicationFailure || cause instanceof Error
        ? cause.message
        : err instanceof Error
          ? err.message
          : String(err);
    emit(run, 'CHECKPOINT_CLEANUP_FAILED', { error });
  }
}
