/**
 * Same-window measurement as activities: `measureWindow` for an evolution
 * iteration (heartbeats once per round, so a hung metrics command shows), and
 * the same function for the CLI and client scripts without a worker.
 */
import { Context } from '@temporalio/activity';
import { measureWindow, type MeasureWindowInput, type MeasureWindowResult } from './measure';

export { measureWindow, DEFAULT_ROUNDS } from './measure';
export type { MeasureWindowInput, MeasureWindowResult } from './measure';
export { runMetricsCommand, METRICS_COMMAND_FAILED } from './runMetrics';

export const createJudgeActivities = () => ({
  async measureJudgeWindow(input: MeasureWindowInput): Promise<MeasureWindowResult> {
    return measureWindow(input, {
      onRound: (index) => Context.current().heartbeat({ round: index + 1 }),
    });
  },
});
