/**
 * What an evolution cycle is told to do: one zod-validated object, parsed at
 * the edge (CLI, client, workflow start) and passed inward typed.
 */
import { z } from 'zod';
import { AnyMetricPolicy } from '../judge/policies';
import { SandboxSettings } from '../sandbox';
import { ModuleId } from '../versions';
import { ServiceFields } from '../services/settings';
import { EventTypePattern } from './eventFilter';
import { refuseUnwiredSwitches, SeedSwitches } from './switches';

const Command = z.string().trim().min(1, 'a command cannot be empty');

/** A relative path or glob inside the workspace; never absolute, never climbing out. */
const ScopePattern = z
  .string()
  .min(1)
  .refine((p) => !p.startsWith('/') && !p.split('/').includes('..'), {
    message: 'edit-scope patterns are relative to the workspace and may not contain ".."',
  });

/**
 * Paths a candidate may never touch by default: the VCS, CI configuration,
 * secrets, and the files that define the judge itself (tests and gates), so a
 * mutator cannot make a bad change pass by editing what judges it.
 */
export const DEFAULT_FORBIDDEN = [
  '.git/**',
  '.github/**',
  '.gitlab-ci.yml',
  '.ci/**',
  '.circleci/**',
  '.env',
  '.env.*',
  'test/**',
  'tests/**',
  '**/*.test.*',
  '**/*.spec.*',
  'bench.js',
  'ratchet.config.json',
];

export const EditScope = z.object({
  /** When set, a candidate may touch only these. */
  allowed: z.array(ScopePattern).optional(),
  forbidden: z.array(ScopePattern).default(DEFAULT_FORBIDDEN),
});
export type EditScope = z.infer<typeof EditScope>;

export const CandidateSource = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('patches'), dir: z.string().min(1) }),
  z.object({ kind: z.literal('mutator'), command: Command }),
]);
export type CandidateSource = z.infer<typeof CandidateSource>;

export const EvaluationConfig = z.object({
  test: Command,
  gates: z.array(Command).default([]),
  metrics: Command.optional(),
  /** Per-command limit; long commands heartbeat. @default 600 */
  commandTimeoutSec: z.number().int().min(1).max(86_400).default(600),
});
export type EvaluationConfig = z.infer<typeof EvaluationConfig>;

/**
 * The judge's own policy schema, so a config can set every field it knows (e.g. `mode: absolute`),
 * or the seeds' `{ threshold, direction: increase|decrease }`, converted to it.
 */
export const MetricPolicyInput = AnyMetricPolicy;

export const EventSinks = z.object({
  /** Append every event as one JSON line. */
  jsonl: z.string().min(1).optional(),
  /** POST every event as JSON, with retries. */
  webhook: z.string().url().optional(),
  /** Only these event types reach the sinks (globs: `ROLLBACK_*`); the durable log keeps all. */
  types: z.array(EventTypePattern).min(1).optional(),
});
export type EventSinks = z.infer<typeof EventSinks>;

/**
 * Optional ceilings; reaching one pauses the cycle (state `paused`, the stop
 * reason names the budget) between iterations, never killing work in flight.
 * Counted from the cycle's start, and again from each resume.
 */
export const Budgets = z.object({
  wallTimeSec: z.number().int().positive().optional(),
  evaluations: z.number().int().positive().optional(),
  /** Total wall time of test, gate and metrics commands. */
  commandTimeSec: z.number().int().positive().optional(),
});
export type Budgets = z.infer<typeof Budgets>;

/**
 * The same-window judge inside an iteration (README "How the judge measures
 * inside a cycle"). `alpha` and `minEffect` stay top-level keys.
 */
export const JudgeConfig = z
  .object({
    /** Rounds (baseline + candidate runs of the metrics command) before the first judgement. @default 8 */
    rounds: z.number().int().min(1).max(1000).default(8),
    /** Sequential sampling: two more rounds at a time while inconclusive, up to this. @default 40 (the 10 % detection goal needs it under a busy neighbour; README) */
    maxRounds: z.number().int().min(1).max(1000).default(40),
    /** Confidence of the Hodges–Lehmann interval (Kayenta's 98 %). @default 0.98 */
    confidence: z.number().gt(0.5).lt(1).default(0.98),
    /**
     * Run an A/A calibration on the active version when the cycle starts; its
     * `suggestedMinEffect` (largest over the metrics) is the minimum effect
     * unless `minEffect` is set. @default false
     */
    requireCalibration: z.boolean().default(false),
    /** Rounds of that calibration. @default 8 */
    calibrationRounds: z.number().int().min(2).max(1000).default(8),
  })
  .refine((j) => j.maxRounds >= j.rounds, {
    message: 'maxRounds must not be below rounds',
    path: ['maxRounds'],
  });
export type JudgeConfig = z.infer<typeof JudgeConfig>;

const EvolutionConfigFields = z.object({
  moduleId: ModuleId,
  workspace: z.string().min(1),
  candidate: CandidateSource,
  evaluation: EvaluationConfig,
  /** Runaway limit. @default 10 */
  iterations: z.number().int().min(1).max(10_000).default(10),
  /** Stop after this many rejections in a row. @default 5 */
  maxConsecutiveRejections: z.number().int().min(1).default(5),
  requireApproval: z.boolean().default(false),
  rejectBreaking: z.boolean().default(false),
  /** How long a human has to answer; then `approvalTimeoutOutcome`. @default 3600 */
  approvalTimeoutSec: z.number().int().min(1).default(3600),
  approvalTimeoutOutcome: z.enum(['reject', 'approve']).default('reject'),
  /** Tag a version `stable` after this many clean iterations on top of it; 0 = never. @default 3 */
  stableAfter: z.number().int().min(0).default(3),
  /** Continue-as-new after this many iterations (or sooner, when the server suggests it). @default 25 */
  iterationsPerRun: z.number().int().min(1).max(1000).default(25),
  maxRollbackAttempts: z.number().int().min(1).max(20).default(3),
  /** Optional command run after a rollback to prove the workspace works. */
  smokeCommand: Command.optional(),
  editScope: EditScope.default({ forbidden: DEFAULT_FORBIDDEN }),
  /** Policies for metrics beyond the seeds' defaults (or to override them). */
  policies: z.record(z.string(), MetricPolicyInput).default({}),
  /** Significance level of the Mann–Whitney test. @default 0.01 */
  alpha: z.number().gt(0).lt(0.5).default(0.01),
  /** Smallest shift samples may call a regression, replacing the policies' regressionThreshold when the test decides (see JudgeSettings). */
  minEffect: z.number().positive().optional(),
  /** Safety-score thresholds: below marginal → roll back; between → ask a human. */
  scoreThresholds: z
    .object({ marginal: z.number().min(0).max(100), pass: z.number().min(0).max(100) })
    .refine((t) => t.marginal <= t.pass, { message: 'marginal must not exceed pass' })
    .default({ marginal: 50, pass: 75 }),
  judge: JudgeConfig.prefault({}),
  sinks: EventSinks.default({}),
  budgets: Budgets.default({}),
  /**
   * Where the candidate's commands run (domain/sandbox.ts): `sandbox`
   * (required | preferred | off), `network`, `env` (names passed through),
   * `limits` (per command).
   */
  ...SandboxSettings.shape,
  /**
   * The module's service (domain/services/settings.ts): `serve`, `health`,
   * `healthWindowSec`, `healthIntervalSec`, `healthFailureThreshold`.
   */
  ...ServiceFields.shape,
  ...SeedSwitches.shape,
});
/** The seeds' switches are checked together (domain/evolution/switches.ts): a value not honoured yet is refused. */
export const EvolutionConfig = EvolutionConfigFields.superRefine(refuseUnwiredSwitches);
export type EvolutionConfig = z.infer<typeof EvolutionConfig>;
export type EvolutionConfigInput = z.input<typeof EvolutionConfig>;
