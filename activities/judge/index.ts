/**
 * Same-window measurement as activities: `measureJudgeWindow` judges two
 * directories (heartbeats once per round, so a hung metrics command shows);
 * `measureIterationWindow` judges an evolution iteration's candidate against
 * its baseline in the workspace itself (trees swapped through the checkpoint
 * store). The CLI and client scripts call `measureWindow` without a worker.
 */
import { Context } from '@temporalio/activity';
import {
  measureIterationWindow,
  type IterationWindowInput,
  type IterationWindowResult,
} from './iterationWindow';
import { measureWindow, type MeasureWindowInput, type MeasureWindowResult } from './measure';

export { measureWindow, DEFAULT_ROUNDS } from './measure';
export type { MeasureWindowInput, MeasureWindowResult } from './measure';
export { runMetricsCommand, METRICS_COMMAND_FAILED } from './runMetrics';
export type { IterationWindowInput, IterationWindowResult } from './iterationWindow';

export const createJudgeActivities = (deps: { dataDir: string }) => ({
  async measureJudgeWindow(input: MeasureWindowInput): Promise<MeasureWindowResult> {
    return measureWindow(input, {
      onRound: (index) => Context.current().heartbeat({ round: index + 1 }),
    });
  },
  measureIterationWindow: (input: IterationWindowInput): Promise<IterationWindowResult> =>
    measureIterationWindow(deps.dataDir, input),
});

export type JudgeActivities = ReturnType<typeof createJudgeActivities>;
