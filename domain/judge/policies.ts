/**
 * Per-metric policies: which direction is better and how large a change is a
 * regression or critical. Defaults follow the seeds' metric names.
 */
import { z } from 'zod';

export const MetricPolicy = z
  .object({
    direction: z.enum(['higher_is_better', 'lower_is_better']),
    /** Change in the bad direction that counts as a regression. */
    regressionThreshold: z.number().positive(),
    /** Change in the bad direction that is critical. */
    criticalThreshold: z.number().positive(),
    /**
     * `relative`: thresholds are fractions of the baseline (0.10 = 10 %).
     * `absolute`: thresholds are in the metric's own unit — right for rates
     * near zero, where a relative change means little (0.001 → 0.002 is +100 %).
     */
    mode: z.enum(['relative', 'absolute']).default('relative'),
  })
  .refine((p) => p.criticalThreshold >= p.regressionThreshold, {
    message: 'criticalThreshold must not be below regressionThreshold',
    path: ['criticalThreshold'],
  });
export type MetricPolicy = z.infer<typeof MetricPolicy>;

/**
 * The seeds' spelling (EVOSEAL's `metric_thresholds`): `threshold` is the
 * change that counts as a regression, `direction` the bad way to move —
 * `{ threshold: 0.05, direction: 'decrease' }` for accuracy,
 * `{ threshold: 0.2, direction: 'increase' }` for a duration. The seeds name
 * no critical level: unless given, it is twice the threshold, the ratio of
 * ratchet's own defaults.
 */
export const SeedMetricPolicy = z
  .object({
    threshold: z.number().positive(),
    direction: z.enum(['increase', 'decrease']),
    criticalThreshold: z.number().positive().optional(),
    mode: z.enum(['relative', 'absolute']).default('relative'),
  })
  .strict()
  .refine((p) => p.criticalThreshold === undefined || p.criticalThreshold >= p.threshold, {
    message: 'criticalThreshold must not be below threshold',
    path: ['criticalThreshold'],
  });
export type SeedMetricPolicy = z.infer<typeof SeedMetricPolicy>;

export function fromSeedPolicy(seed: SeedMetricPolicy): MetricPolicy {
  return {
    direction: seed.direction === 'increase' ? 'lower_is_better' : 'higher_is_better',
    regressionThreshold: seed.threshold,
    criticalThreshold: seed.criticalThreshold ?? seed.threshold * 2,
    mode: seed.mode,
  };
}

/** Either spelling, told apart by `direction`; the seeds' one is converted to ratchet's. */
export const AnyMetricPolicy = z.discriminatedUnion('direction', [
  MetricPolicy,
  SeedMetricPolicy.transform(fromSeedPolicy),
]);
export type MetricPolicyInput = z.input<typeof AnyMetricPolicy>;

const lower = (regression: number, critical: number): MetricPolicy => ({
  direction: 'lower_is_better',
  regressionThreshold: regression,
  criticalThreshold: critical,
  mode: 'relative',
});
const higher = (regression: number, critical: number): MetricPolicy => ({
  direction: 'higher_is_better',
  regressionThreshold: regression,
  criticalThreshold: critical,
  mode: 'relative',
});
const rate = (regression: number, critical: number): MetricPolicy => ({
  direction: 'lower_is_better',
  regressionThreshold: regression,
  criticalThreshold: critical,
  mode: 'absolute',
});

/**
 * The seeds' defaults: durations and memory 10 % / 25–30 %, accuracy-like
 * −5 % / −10 %, correctness −1 % / −5 % (all relative to the baseline).
 * Error and failure rates are 0–1 fractions judged in absolute points:
 * +0.05 (5 points, e.g. 2 % → 7 %) regresses, +0.10 is critical — a relative
 * rule would call 0.1 % → 0.2 % a 100 % regression and could never judge a
 * baseline of 0.
 */
export const DEFAULT_POLICIES: Readonly<Record<string, MetricPolicy>> = {
  duration_sec: lower(0.1, 0.25),
  execution_time: lower(0.1, 0.25),
  memory_mb: lower(0.1, 0.3),
  cpu_percent: lower(0.1, 0.3),
  success_rate: higher(0.05, 0.1),
  accuracy: higher(0.05, 0.1),
  precision: higher(0.05, 0.1),
  recall: higher(0.05, 0.1),
  f1_score: higher(0.05, 0.1),
  pass_rate: higher(0.05, 0.1),
  correctness: higher(0.01, 0.05),
  // Seed 003's metric_thresholds: performance (a time) +20 %, memory_usage +30 %.
  performance: lower(0.2, 0.4),
  memory_usage: lower(0.3, 0.6),
  error_rate: rate(0.05, 0.1),
  failure_rate: rate(0.05, 0.1),
};

export function policyFor(
  metric: string,
  overrides: Readonly<Record<string, MetricPolicyInput>> = {},
): MetricPolicy | undefined {
  const custom = overrides[metric];
  return custom ? AnyMetricPolicy.parse(custom) : DEFAULT_POLICIES[metric];
}
