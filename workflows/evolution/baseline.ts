/**
 * Baseline setup (first run only): the active version (or a first checkpoint),
 * its tests and metrics, the A/A calibration when the config requires one,
 * the first `stable` tag, and the patch queue.
 */
import { scalarHistoryEntry } from '../../domain/evolution/judging';
import { activeVersion } from '../../domain/lineage';
import { patched } from '@temporalio/workflow';
import { commands, metricHistory, patches, store } from './activities';
import {
  activeOf,
  emit,
  publishState,
  refreshLineage,
  HISTORY_WINDOW,
  setState,
  type CycleRun,
} from './cycleState';
import { calibrateCycle } from './calibration';
import { versionMetrics } from './metrics';
import { sandboxOf } from '../../domain/sandbox';

/** Measures the active version's metrics (after a rollback or a repair); null when it cannot. */
export async function measureBaseline(run: CycleRun): Promise<string | null> {
  const { config } = run;
  if (!config.evaluation.metrics) return null;
  const measured = await commands(config.evaluation.commandTimeoutSec).collectMetrics({
    workspace: config.workspace,
    command: config.evaluation.metrics,
    timeoutSec: config.evaluation.commandTimeoutSec,
    sandbox: sandboxOf(config),
  });
  run.baselineMetrics = measured.ok ? measured.metrics : null;
  return measured.ok ? null : measured.failure.message;
}

/**
 * The accepted versions' values from this module's earlier cycles, so the
 * judge's z-score/IQR/trend checks see more than this cycle's own runs.
 */
async function earlierCycles(run: CycleRun): Promise<Array<Record<string, number>>> {
  if (!patched('judge-history-across-cycles')) return [];
  return metricHistory.loadJudgeHistory({
    moduleId: run.config.moduleId,
    limit: HISTORY_WINDOW - 1,
  });
}

/** Returns false (and sets the cycle `failed`) when the baseline itself does not pass. */
export async function setupBaseline(run: CycleRun): Promise<boolean> {
  const { config } = run;
  publishState(run);
  run.step = 'baseline';
  await refreshLineage(run);
  run.active = activeVersion(run.lineage) ?? null;
  if (!run.active) {
    run.active = await store.createCheckpoint({
      workspace: config.workspace,
      moduleId: config.moduleId,
      parentVersion: null,
      status: 'active',
      tags: ['baseline'],
      metadata: { reason: 'baseline' },
    });
    versionMetrics().checkpoints.add(1, { module_id: config.moduleId });
    emit(run, 'CHECKPOINT_CREATED', {
      version: run.active.version,
      checkpointId: run.active.checkpointId,
      baseline: true,
    });
  }
  const active = activeOf(run);
  const tests = await commands(config.evaluation.commandTimeoutSec).runTests({
    workspace: config.workspace,
    command: config.evaluation.test,
    timeoutSec: config.evaluation.commandTimeoutSec,
    sandbox: sandboxOf(config),
  });
  let failure = tests.passed ? null : `fails its tests: ${tests.outputTail.slice(-300)}`;
  if (!failure) {
    const metricsFailure = await measureBaseline(run);
    if (metricsFailure) failure = `has no metrics: ${metricsFailure}`;
    else if (run.baselineMetrics)
      run.history = [...(await earlierCycles(run)), scalarHistoryEntry(run.baselineMetrics)];
  }
  if (!failure) failure = await calibrateCycle(run);
  if (failure) {
    run.stopReason = `the baseline (${active.version}) ${failure}`;
    setState(run, 'failed');
    emit(run, 'CYCLE_COMPLETED', { state: run.state, stopReason: run.stopReason });
    return false;
  }
  await refreshLineage(run);
  if (!run.lineage.some((v) => v.tags.includes('stable'))) {
    run.active = await store.tagVersion({
      moduleId: config.moduleId,
      version: active.version,
      tag: 'stable',
    });
    emit(run, 'VERSION_TAGGED_STABLE', {
      version: active.version,
      reason: 'baseline passes its tests',
    });
  }
  if (config.candidate.kind === 'patches') {
    run.patchQueue = await patches.listPatches({ dir: config.candidate.dir });
  }
  emit(run, 'CYCLE_STARTED', {
    active: activeOf(run).version,
    candidates: config.candidate.kind === 'patches' ? (run.patchQueue?.length ?? 0) : 'mutator',
    iterations: config.iterations,
    ...(run.calibration
      ? {
          calibration: {
            falseRollbackRate: run.calibration.falseRollbackRate,
            suggestedMinEffect: run.calibration.suggestedMinEffect,
            minEffect: run.calibration.minEffect,
          },
        }
      : {}),
  });
  await refreshLineage(run);
  return true;
}
