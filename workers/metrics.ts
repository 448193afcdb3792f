/**
 * The gauges, derived from durable state rather than set in workflow code (a
 * replay after a restart would not set them again): Temporal visibility for
 * runs waiting on a human, cycles in needs_attention and the latest cleanup
 * completeness of each operation; the checkpoint store on disk for lineage
 * depth. Computed at worker start and then every `intervalMs`, so they are
 * right from the first scrape after a restart. Scoped to this worker's task
 * queue, so two deployments on one namespace do not count each other's runs.
 */
import type { Client } from '@temporalio/client';
import type { MetricMeter } from '@temporalio/common';
import { Runtime } from '@temporalio/worker';
import { CheckpointStore } from '../activities/checkpoints/store';
import { lineageDepth } from '../domain/lineage';
import { boundedLabel, METRICS, SAGA_OPERATIONS } from '../domain/metrics';
import { CLEANUP_COMPLETENESS_KEY } from '../domain/searchAttributes';

export interface GaugeSources {
  client: Client;
  taskQueue: string;
  dataDir: string;
  meter: MetricMeter;
  /** @default 15000 */
  intervalMs?: number;
  onError?: (err: unknown) => void;
}

export interface GaugeRefresher {
  /** The first computation (failures are reported to onError, never thrown here). */
  first: Promise<void>;
  /** Recomputes every gauge now. */
  refresh(): Promise<void>;
  stop(): void;
}

function gauge(meter: MetricMeter, name: keyof typeof METRICS) {
  return meter.createGauge(name, 'float', undefined, METRICS[name].help);
}

/** Quotes a value for a visibility query (it only ever gets our own enums and task queues). */
const q = (v: string) => `'${v.replace(/'/g, "\\'")}'`;

export function startGaugeRefresher(sources: GaugeSources): GaugeRefresher {
  const { client, meter } = sources;
  const scope = `TaskQueue = ${q(sources.taskQueue)}`;
  const pending = gauge(meter, 'ratchet_version_pending_approvals');
  const attention = gauge(meter, 'ratchet_cycles_needing_attention');
  const depth = gauge(meter, 'ratchet_version_lineage_depth');
  const cleanup = gauge(meter, 'ratchet_saga_cleanup_completeness');
  const store = new CheckpointStore(sources.dataDir);

  const countOf = async (query: string) =>
    (await client.workflow.count(`${scope} AND ${query}`)).count;

  async function latestCompleteness(operation: string): Promise<number> {
    let latest: { at: number; value: number } | undefined;
    const runs = client.workflow.list({
      query: `${scope} AND RatchetOperation = ${q(operation)} AND RatchetCleanupCompleteness >= 0`,
      pageSize: 100,
    });
    let seen = 0;
    for await (const run of runs) {
      const value = run.typedSearchAttributes.get(CLEANUP_COMPLETENESS_KEY);
      const at = (run.closeTime ?? run.startTime).getTime();
      if (typeof value === 'number' && (!latest || at > latest.at)) latest = { at, value };
      if (++seen >= 100) break; // the newest page is enough
    }
    return latest?.value ?? 100;
  }

  async function refresh(): Promise<void> {
    const [waiting, parked] = await Promise.all([
      countOf(
        `(RatchetHumanNeeded = true OR RatchetState = 'pending_approval') AND ExecutionStatus = 'Running'`,
      ),
      countOf(`RatchetState = 'needs_attention' AND ExecutionStatus = 'Running'`),
    ]);
    pending.set(waiting);
    attention.set(parked);
    for (const operation of SAGA_OPERATIONS) {
      cleanup.set(await latestCompleteness(operation), {
        operation: boundedLabel('operation', operation),
      });
    }
    for (const moduleId of await store.listModules()) {
      const state = await store.readModule(moduleId);
      if (!state) continue;
      depth.set(lineageDepth(state.versions), { module_id: boundedLabel('module_id', moduleId) });
    }
  }

  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const loop = (): Promise<void> => {
    if (stopped) return Promise.resolve();
    return refresh()
      .catch((err: unknown) => sources.onError?.(err))
      .finally(() => {
        if (!stopped) timer = setTimeout(() => void loop(), sources.intervalMs ?? 15_000);
      });
  };
  return {
    first: loop(),
    refresh,
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
    },
  };
}

/** The gauges of a worker process, when it exports metrics (`metricsAddress`). */
export function startWorkerGauges(
  settings: { metricsAddress?: string | undefined; taskQueue: string; dataDir: string },
  client: Client,
  logger: { warn(obj: object, msg: string): void },
): GaugeRefresher | undefined {
  if (!settings.metricsAddress) return undefined;
  return startGaugeRefresher({
    client,
    taskQueue: settings.taskQueue,
    dataDir: settings.dataDir,
    meter: Runtime.instance().metricMeter,
    onError: (err) => logger.warn({ err }, 'could not refresh the metrics gauges'),
  });
}
