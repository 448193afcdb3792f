/**
 * Lanes as the guide states them: a total budget per lane for the whole run
 * (docs/"fast" < 5 min, standard < 15 min, heavy < 20 min), beside the
 * per-step timeout scaling, and the order a run escalates in.
 */
import { LANE_TIMEOUT_SCALE, LANES, type Lane, type Pipeline, type PipelineStep } from './schema';

/** The guide's totals, seconds. */
export const LANE_BUDGET_SEC: Record<Lane, number> = { docs: 300, standard: 900, heavy: 1200 };

/** The guide also calls the lightest lane "fast": the CLI accepts that spelling. */
export const LANE_ALIASES: Record<string, Lane> = { fast: 'docs' };

export function laneFromName(name: string): Lane | undefined {
  if ((LANES as readonly string[]).includes(name)) return name as Lane;
  return LANE_ALIASES[name];
}

/** The next heavier lane, or null from heavy. */
export function heavierLane(lane: Lane): Lane | null {
  return LANES[LANES.indexOf(lane) + 1] ?? null;
}

export function laneBudgetSec(pipeline: Pick<Pipeline, 'laneBudgetSec'>, lane: Lane): number {
  return pipeline.laneBudgetSec?.[lane] ?? LANE_BUDGET_SEC[lane];
}

/**
 * A step's timeout in a lane, cut to what is left of the run's budget, so no
 * step can run past it. Never below one second (a zero timeout means none).
 */
export function stepTimeoutSec(
  step: Pick<PipelineStep, 'timeout'>,
  lane: Lane,
  remainingBudgetSec: number = Number.POSITIVE_INFINITY,
): number {
  const scaled = Math.round(step.timeout * LANE_TIMEOUT_SCALE[lane]);
  return Math.max(1, Math.min(scaled, Math.floor(remainingBudgetSec)));
}
