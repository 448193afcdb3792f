/**
 * The cycle's main loop: pause (by an operator or a budget), an operator's
 * rollback, the stop rule, continue-as-new with a bounded carried state, and
 * one iteration (a child workflow) at a time.
 */
import {
  CancellationScope,
  allHandlersFinished,
  condition,
  continueAsNew,
  executeChild,
  isCancellation,
  workflowInfo,
} from '@temporalio/workflow';
import { markIterationStart } from './observe';
import { swapAccepted } from './live';
import { cleanupAfterIteration } from './cleanup';
import { awaitHuman } from './approval';
import { awaitOperator, handleRollbackRequest } from './attention';
import type { evolutionCycle } from './cycle';
import {
  activeOf,
  addRecord,
  carriedState,
  emit,
  refreshLineage,
  setState,
  type CycleRun,
} from './cycleState';
import { evolutionIteration, iterationWorkflowId, type IterationOutcome } from './iteration';
import {
  budgetReached,
  countUsage,
  creditCleanIteration,
  settleFinished,
  stopRule,
} from './outcomes';

export async function runLoop(run: CycleRun): Promise<void> {
  for (;;) {
    if (run.inbox.paused) await waitWhilePaused(run);
    if (run.inbox.rollbackRequest) {
      await handleRollbackRequest(run);
      continue;
    }
    run.stopReason = stopRule(run);
    if (run.stopReason) return;
    // A budget pauses only a cycle that has work left, and never work in flight.
    const budget = budgetReached(run);
    if (budget) {
      run.inbox.paused = true;
      run.stopReason = budget;
      emit(run, 'BUDGET_REACHED', { budget, usage: { ...run.usage } }, null);
      continue;
    }
    if (
      run.iterationsThisRun >= run.config.iterationsPerRun ||
      workflowInfo().continueAsNewSuggested
    ) {
      await run.log.drain();
      await condition(allHandlersFinished);
      await continueAsNew<typeof evolutionCycle>({
        config: run.input.config,
        carried: carriedState(run),
      });
    }
    await runIteration(run);
    await run.log.flush();
  }
}

async function waitWhilePaused(run: CycleRun): Promise<void> {
  setState(run, 'paused');
  run.step = 'paused';
  await run.log.flush();
  await condition(() => !run.inbox.paused || run.inbox.rollbackRequest !== undefined);
  if (!run.inbox.paused && budgetReached(run)) {
    // An operator resumed past a budget: it counts again from now.
    run.usage = { sinceMs: Date.now(), evaluations: 0, commandMs: 0 };
  }
  if (!run.inbox.paused) run.stopReason = null;
  setState(run, 'running');
}

async function runIteration(run: CycleRun): Promise<void> {
  run.iteration++;
  run.iterationsThisRun++;
  markIterationStart(run);
  run.step = 'iteration';
  const base = activeOf(run);
  const index = run.iteration;
  let outcome: IterationOutcome;
  const scope = new CancellationScope();
  run.childScope = scope;
  try {
    outcome = await scope.run(() =>
      executeChild(evolutionIteration, {
        workflowId: iterationWorkflowId(run.workflowId, index),
        args: [
          {
            config: run.config,
            cycleWorkflowId: run.workflowId,
            index,
            active: base,
            patchFile: run.patchQueue ? (run.patchQueue[index - 1] ?? null) : null,
            baselineMetrics: run.baselineMetrics,
            history: run.history,
            ...(run.live ? { rules: run.live.rules.breaking } : {}),
            ...(run.calibration ? { calibratedMinEffect: run.calibration.minEffect } : {}),
          },
        ],
        staticSummary: `iteration ${index} of ${run.config.moduleId} on ${base.version}`,
      }),
    );
  } catch (err) {
    if (!isCancellation(err)) throw err;
    addRecord(run, {
      index,
      candidate: run.patchQueue?.[index - 1]?.split('/').pop() ?? 'candidate',
      version: null,
      decision: 'rolled_back',
      reason: `interrupted by operator: ${run.inbox.rollbackRequest?.reason ?? 'cancelled'}`,
      reasonCode: 'interrupted_by_operator',
      rollbackPerformed: true,
      safetyScore: null,
      compatibility: null,
      metrics: {},
      warnings: [],
    });
    if (!run.inbox.rollbackRequest) throw err;
    return; // the manual rollback runs at the top of the loop
  } finally {
    run.childScope = undefined;
  }

  addRecord(run, outcome.record);
  countUsage(run, outcome);
  if (outcome.kind === 'finished') {
    settleFinished(run, outcome);
    if (await swapAccepted(run, outcome.record)) {
      run.stopReason = outcome.record.reason;
      await awaitOperator(run);
      run.stopReason = null;
    }
    await cleanupAfterIteration(run);
  } else if (outcome.kind === 'needs_human') await awaitHuman(run, outcome);
  else {
    run.consecutiveRejections++;
    if (outcome.error) run.stopReason = `infrastructure failure: ${outcome.error}`;
    await awaitOperator(run);
    run.stopReason = null;
  }
  await creditCleanIteration(run, base);
  await refreshLineage(run, false);
}
