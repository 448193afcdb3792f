/**
 * Checks of a candidate against the lineage: z-score and IQR outliers over
 * the last accepted versions, and the least-squares trend. Warnings, not
 * verdicts — a slow drift is worth a human's look even when every step passed.
 */
import type { MetricPolicy } from './policies';
import { mean, quantile, slope, stdDev } from './stats';

export interface LineageWarning {
  metric: string;
  kind: 'zscore' | 'iqr' | 'trend';
  message: string;
}

export function lineageWarnings(
  metric: string,
  history: readonly number[],
  candidate: number,
  policy: MetricPolicy,
  options: { zThreshold?: number; minHistory?: number; trendPerVersion?: number } = {},
): LineageWarning[] {
  const minHistory = options.minHistory ?? 3;
  if (history.length < minHistory) return [];
  const out: LineageWarning[] = [];
  const m = mean(history);
  const sd = stdDev(history);
  const zThreshold = options.zThreshold ?? 3;
  if (sd > 0) {
    const z = (candidate - m) / sd;
    if (Math.abs(z) > zThreshold) {
      out.push({
        metric,
        kind: 'zscore',
        message: `${metric} = ${round(candidate)} is ${round(z)} σ from the last ${history.length} versions' mean ${round(m)}`,
      });
    }
  }
  const q1 = quantile(history, 0.25);
  const q3 = quantile(history, 0.75);
  const iqr = q3 - q1;
  if (iqr > 0 && (candidate < q1 - 1.5 * iqr || candidate > q3 + 1.5 * iqr)) {
    out.push({
      metric,
      kind: 'iqr',
      message: `${metric} = ${round(candidate)} is outside [${round(q1 - 1.5 * iqr)}, ${round(q3 + 1.5 * iqr)}] (1.5 IQR)`,
    });
  }
  const series = [...history, candidate];
  const perVersion = m !== 0 ? slope(series) / Math.abs(m) : 0;
  const worse = policy.direction === 'lower_is_better' ? perVersion : -perVersion;
  if (worse > (options.trendPerVersion ?? 0.02)) {
    out.push({
      metric,
      kind: 'trend',
      message: `${metric} has drifted ${round(worse * 100)} % per version the wrong way over the last ${series.length} versions`,
    });
  }
  return out;
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
