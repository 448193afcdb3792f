/**
 * Judge two trees in the same window, or calibrate a workspace, without a
 * worker — what `ratchet judge` uses and what client scripts import
 * (the seeds' `validate_version_safety`).
 *
 * @example
 * const { report } = await compareTrees({ baseline: 'v1', candidate: 'v2', metrics: 'node bench.js' });
 * if (report.verdict === 'regressed') process.exit(1);
 */
import { statSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { DEFAULT_ROUNDS, measureWindow } from '../activities/judge';
import { calibrate, type Calibration } from '../domain/judge/calibrate';
import { MetricPolicy } from '../domain/judge/policies';
import type { WindowReport, WindowRound } from '../domain/judge/window';

const Dir = (field: string) =>
  z
    .string()
    .min(1, `${field} is required`)
    .transform((d) => path.resolve(d))
    .refine((d) => {
      try {
        return statSync(d).isDirectory();
      } catch {
        return false;
      }
    }, `${field} must be an existing directory`);

const Common = {
  metrics: z.string().trim().min(1, 'metrics must be a shell command'),
  rounds: z.number().int().min(1).max(1000).default(DEFAULT_ROUNDS),
  timeoutSec: z.number().positive().max(86_400).default(300),
  alpha: z.number().gt(0).lt(1).optional(),
  confidence: z.number().gt(0.5).lt(1).optional(),
  minEffect: z.number().positive().optional(),
  policies: z.record(z.string(), MetricPolicy).optional(),
};

export const CompareOptions = z
  .object({
    baseline: Dir('baseline'),
    candidate: Dir('candidate'),
    /** Sequential sampling stops here. @default max(20, rounds) */
    maxRounds: z.number().int().min(1).max(1000).optional(),
    ...Common,
  })
  .refine((o) => o.maxRounds === undefined || o.maxRounds >= o.rounds, {
    message: 'maxRounds must not be below rounds',
    path: ['maxRounds'],
  });
export type CompareOptions = z.input<typeof CompareOptions>;

export const CalibrateOptions = z.object({ workspace: Dir('workspace'), ...Common });
export type CalibrateOptions = z.input<typeof CalibrateOptions>;

export interface CompareResult {
  report: WindowReport;
  rounds: WindowRound[];
}

/** Throws a ZodError on bad options, an ApplicationFailure (MetricsCommandFailed) when the command fails. */
export async function compareTrees(
  options: CompareOptions,
  onRound?: (index: number) => void,
): Promise<CompareResult> {
  const o = CompareOptions.parse(options);
  return measureWindow(
    {
      baselineDir: o.baseline,
      candidateDir: o.candidate,
      metricsCommand: o.metrics,
      rounds: o.rounds,
      maxRounds: o.maxRounds ?? Math.max(40, o.rounds),
      timeoutSec: o.timeoutSec,
      alpha: o.alpha,
      confidence: o.confidence,
      minEffect: o.minEffect,
      policies: o.policies,
    },
    { onRound },
  );
}

/** An A/A window on one tree (no sequential sampling: exactly `rounds` rounds). */
export async function calibrateWorkspace(
  options: CalibrateOptions,
  onRound?: (index: number) => void,
): Promise<Calibration> {
  const o = CalibrateOptions.parse(options);
  const { rounds } = await measureWindow(
    {
      baselineDir: o.workspace,
      candidateDir: o.workspace,
      metricsCommand: o.metrics,
      rounds: o.rounds,
      maxRounds: o.rounds,
      timeoutSec: o.timeoutSec,
      alpha: o.alpha,
      confidence: o.confidence,
      minEffect: o.minEffect,
      policies: o.policies,
    },
    { onRound },
  );
  return calibrate({
    rounds,
    alpha: o.alpha,
    confidence: o.confidence,
    minEffect: o.minEffect,
    policies: o.policies,
  });
}
