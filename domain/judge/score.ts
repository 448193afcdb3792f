/**
 * The safety score, Kayenta's way: the share of judged metrics that pass or
 * improve, forced to 0 when the tests failed, a metric is critical, or too
 * many metrics had no data to judge. Between the marginal and pass thresholds
 * the result is `inconclusive` — a human decides, as in Argo Rollouts.
 */
import { z } from 'zod';

export type Verdict = 'pass' | 'improved' | 'regressed' | 'critical' | 'no_data';
export type Classification = 'pass' | 'inconclusive' | 'fail';

export const ScoreThresholds = z
  .object({
    /** Below this score: fail (roll back). */
    marginal: z.number().min(0).max(100),
    /** At or above this score: pass. Between the two: inconclusive. */
    pass: z.number().min(0).max(100),
  })
  .refine((t) => t.marginal <= t.pass, { message: 'marginal must not exceed pass' });
export type ScoreThresholds = z.infer<typeof ScoreThresholds>;

export const DEFAULT_SCORE_THRESHOLDS: ScoreThresholds = { marginal: 50, pass: 75 };

export function safetyScore(
  verdicts: readonly Verdict[],
  testsPassed: boolean,
  maxNoDataShare: number,
): number {
  if (!testsPassed || verdicts.includes('critical')) return 0;
  // Nothing to judge: the tests alone speak, and they passed.
  if (verdicts.length === 0) return 100;
  const noData = verdicts.filter((v) => v === 'no_data').length;
  if (noData / verdicts.length > maxNoDataShare) return 0;
  const good = verdicts.filter((v) => v === 'pass' || v === 'improved').length;
  return Math.round((100 * good) / verdicts.length);
}

export function classify(score: number, thresholds: ScoreThresholds): Classification {
  if (score >= thresholds.pass) return 'pass';
  return score >= thresholds.marginal ? 'inconclusive' : 'fail';
}
