/**
 * Counters and histograms recorded from workflow code through the SDK's
 * workflow meter: they reach the worker's one Prometheus endpoint and are not
 * recorded again when a history is replayed, so each event counts once.
 * Gauges are not set here (a replay after a restart would not set them):
 * the worker derives them from durable state (workers/metrics.ts).
 */
import { metricMeter } from '@temporalio/workflow';
import { boundedLabel, METRICS, type MetricName } from '../domain/metrics';

type Labels = Record<string, string | number>;

function bounded(name: MetricName, labels: Labels): Record<string, string> {
  const allowed = METRICS[name].labels as readonly string[];
  const out: Record<string, string> = {};
  for (const label of allowed) out[label] = boundedLabel(label, labels[label] ?? 'other');
  return out;
}

/** Adds to a `ratchet_*_total` counter; labels outside the catalogue are dropped. */
export function count(name: MetricName, labels: Labels = {}, value = 1): void {
  metricMeter.createCounter(name, undefined, METRICS[name].help).add(value, bounded(name, labels));
}

/** Records one observation on a histogram (seconds, or a unitless ratio). */
export function observe(name: MetricName, value: number, labels: Labels = {}): void {
  if (!Number.isFinite(value) || value < 0) return;
  metricMeter
    .createHistogram(name, 'float', undefined, METRICS[name].help)
    .record(value, bounded(name, labels));
}
