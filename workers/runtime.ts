/**
 * Installs the Temporal runtime once per process with ratchet's pino logger
 * (so SDK, workflow and activity logs — which carry workflowId/runId — land in
 * one stream) and, when configured, a Prometheus endpoint for SDK metrics.
 */
import {
  DefaultLogger,
  makeTelemetryFilterString,
  Runtime,
  type LogLevel as SdkLevel,
} from '@temporalio/worker';
import type { Logger } from '../config/logger';
import type { Settings } from '../config/settings';
import { histogramBuckets } from '../domain/metrics';

const LEVELS: Record<SdkLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error'> = {
  TRACE: 'trace',
  DEBUG: 'debug',
  INFO: 'info',
  WARN: 'warn',
  ERROR: 'error',
};

function sdkLevel(level: Settings['log']['level']): SdkLevel {
  switch (level) {
    case 'trace':
      return 'TRACE';
    case 'debug':
      return 'DEBUG';
    case 'info':
      return 'INFO';
    case 'warn':
      return 'WARN';
    default:
      return 'ERROR';
  }
}

/**
 * The worker's one metrics endpoint: the SDK's own Prometheus exporter, which
 * also serves ratchet's metrics (recorded through the SDK's metric meters).
 */
export function prometheusMetrics(bindAddress: string) {
  return {
    prometheus: {
      bindAddress,
      // ratchet's histograms are in seconds or ratios: their own buckets.
      histogramBucketOverrides: histogramBuckets(),
    },
  };
}

let installed = false;

export function installRuntime(settings: Settings, logger: Logger): void {
  if (installed) return;
  installed = true;
  const level = sdkLevel(settings.log.level);
  Runtime.install({
    logger: new DefaultLogger(level, (entry) => {
      logger[LEVELS[entry.level]]({ ...entry.meta, sdk: true }, entry.message);
    }),
    telemetryOptions: {
      logging: { forward: {}, filter: makeTelemetryFilterString({ core: 'WARN' }) },
      ...(settings.metricsAddress ? { metrics: prometheusMetrics(settings.metricsAddress) } : {}),
    },
  });
}
