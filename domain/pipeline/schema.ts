/**
 * Step pipelines (the seed's CI-like workflows): a name and ordered steps,
 * lanes that choose steps and scale their timeouts, and optional overrides of
 * the recovery plans.
 */
import { z } from 'zod';

export const LANES = ['docs', 'standard', 'heavy'] as const;
export const Lane = z.enum(LANES);
export type Lane = z.infer<typeof Lane>;

export const STEP_KINDS = ['build', 'test', 'quality_gate', 'deploy', 'other'] as const;

export const FAILURE_TYPES = [
  'timeout',
  'test_failure',
  'quality_gate_failure',
  'resource_exhaustion',
  'network_error',
  'git_error',
  'unknown',
] as const;
export const FailureType = z.enum(FAILURE_TYPES);
export type FailureType = z.infer<typeof FailureType>;

export const STRATEGIES = [
  'RETRY',
  'RESUME',
  'SKIP',
  'ROLLBACK',
  'MANUAL',
  /** The guide's network plan: wait (`networkWaitSec`), then run the step again. */
  'WAIT_RETRY',
  /** A gate, not a rerun: free memory and disk above the minimums, else a person. */
  'CHECK_RESOURCES',
  /** Run the step again in the next heavier lane (docs → standard → heavy). */
  'ESCALATE_LANE',
  /** `git fetch`, `git reset --hard` to the last good checkpoint's commit, restore, run again. */
  'GIT_RESET',
  /** Run the step's `autoFix` command, then the step again. */
  'AUTO_FIX',
] as const;
export const Strategy = z.enum(STRATEGIES);
export type Strategy = z.infer<typeof Strategy>;

export const PipelineStep = z
  .object({
    name: z.string().trim().min(1),
    run: z.string().trim().min(1, 'a step needs a command to run'),
    kind: z.enum(STEP_KINDS).default('other'),
    /** Seconds, before the lane's scaling. @default 600 */
    timeout: z.number().positive().max(86_400).default(600),
    optional: z.boolean().default(false),
    /** Lanes that run this step; default: all. */
    lanes: z.array(Lane).min(1).optional(),
    /** A command that fixes what this step complains about (e.g. `eslint --fix`), run by AUTO_FIX. */
    autoFix: z.string().trim().min(1).optional(),
  })
  .strict();
export type PipelineStep = z.infer<typeof PipelineStep>;

export const Pipeline = z
  .object({
    name: z.string().trim().min(1),
    steps: z.array(PipelineStep).min(1, 'a pipeline needs at least one step'),
    /** Strategies per failure type, replacing the default plan for that type. */
    recovery: z.partialRecord(FailureType, z.array(Strategy).min(1)).optional(),
    /** Files that must exist before a resume. */
    criticalFiles: z.array(z.string().min(1)).default([]),
    /** Commands that must pass before a resume (dependency checks). */
    dependencyChecks: z.array(z.string().min(1)).default([]),
    /** WAIT_RETRY's pause before a network error's rerun, seconds. @default 60 */
    networkWaitSec: z.number().min(0).max(3600).default(60),
    /** CHECK_RESOURCES's minimums. @default 256 MB memory, 512 MB disk */
    minFreeMemoryMb: z.number().min(0).default(256),
    minFreeDiskMb: z.number().min(0).default(512),
    /** Replace a lane's total budget, seconds (the guide's: docs 300, standard 900, heavy 1200). */
    laneBudgetSec: z.partialRecord(Lane, z.number().positive().max(86_400)).optional(),
    /** State validation fails on a dirty working directory (default: the changes are only listed). */
    requireCleanWorkdir: z.boolean().default(false),
  })
  .strict()
  .refine((p) => new Set(p.steps.map((s) => s.name)).size === p.steps.length, {
    message: 'step names must be unique',
    path: ['steps'],
  });
export type Pipeline = z.infer<typeof Pipeline>;

/** How much longer a lane lets each step run (the seed: docs < 5 min, standard < 15, heavy < 20). */
export const LANE_TIMEOUT_SCALE: Record<Lane, number> = { docs: 0.5, standard: 1, heavy: 2 };

export interface LaneStep extends PipelineStep {
  index: number;
  timeoutSec: number;
}

export function stepsForLane(pipeline: Pipeline, lane: Lane): LaneStep[] {
  return pipeline.steps
    .filter((s) => !s.lanes || s.lanes.includes(lane))
    .map((s, index) => ({
      ...s,
      index,
      timeoutSec: Math.max(1, Math.round(s.timeout * LANE_TIMEOUT_SCALE[lane])),
    }));
}
