/**
 * `evolutionCycle`: runs iterations of one module until a stop rule.
 *
 *   baseline   (first run) active version, its tests and metrics   → baseline.ts
 *   inbox      queries and the five operator updates               → inbox.ts
 *   loop       pause/budgets, manual rollback, iterations, CAN      → loop.ts
 *   waits      approval / inconclusive, needs_attention            → approval.ts, attention.ts
 *   events     bounded tail + durable log + sinks with cursors     → eventLog.ts
 *
 * All of it works on one explicit state object (cycleState.ts).
 */
import { ApplicationFailure, allHandlersFinished, condition } from '@temporalio/workflow';
import { EvolutionConfig } from '../../domain/evolution/config';
import type { CycleResult } from '../../domain/evolution/results';
import { setupBaseline } from './baseline';
import {
  activeOf,
  cycleResult,
  emit,
  openCycle,
  refreshLineage,
  setState,
  type CycleInput,
} from './cycleState';
import { installInbox } from './inbox';
import { runLoop } from './loop';
import { closeLive, openLive, readRules } from './live';

export type { CarriedState, CycleInput } from './cycleState';

export async function evolutionCycle(input: CycleInput): Promise<CycleResult> {
  const parsed = EvolutionConfig.safeParse(input.config);
  if (!parsed.success) {
    throw ApplicationFailure.create({
      type: 'InvalidEvolutionInput',
      message: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '),
      nonRetryable: true,
    });
  }
  const run = openCycle(input, parsed.data);
  installInbox(run);
  await readRules(run);

  if (input.carried) await refreshLineage(run);
  else if (!(await setupBaseline(run))) {
    await run.log.drain();
    return cycleResult(run);
  }
  await openLive(run, input.carried?.serving ?? null);
  await run.log.flush();

  await runLoop(run);
  await closeLive(run);

  setState(run, 'completed');
  run.step = 'done';
  emit(run, 'CYCLE_COMPLETED', {
    finalVersion: activeOf(run).version,
    stopReason: run.stopReason,
    iterations: run.iteration,
  });
  await run.log.drain();
  await condition(allHandlersFinished);
  return cycleResult(run);
}
