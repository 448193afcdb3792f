/**
 * The service activities: supervise a copy, stop one by its record, probe
 * it, materialise a version for it, pick a free port, read what runs.
 */
import { createServer } from 'node:net';
import { readdir } from 'node:fs/promises';
import type { HealthProbe, ProbeResult } from '../../domain/services/settings';
import type { RevertRecord } from '../../domain/versions';
import { recordRevert } from '../checkpoints/lineage';
import { CheckpointStore } from '../checkpoints/store';
import { probe } from './probes';
import { livePid, readRecord, servicesDir, type CopyRecord } from './ownership';
import { materializeVersion } from './releases';
import { stopCopy, superviseService, type SuperviseInput } from './supervisor';

export interface ServiceActivityDeps {
  dataDir: string;
}

/** A probe's result with what the supervisor recorded about that copy at the time. */
export interface CopyProbe extends ProbeResult {
  pid: number | null;
  restarts: number;
  /** ISO-8601: when the running pid started. */
  startedAt: string | null;
  /** The supervisor gave the copy up (restart budget spent). */
  gaveUp: boolean;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address
          ? resolve(address.port)
          : reject(new Error('no port')),
      );
    });
  });
}

export const createServiceActivities = (deps: ServiceActivityDeps) => ({
  superviseService: (input: SuperviseInput) => superviseService(deps.dataDir, input),
  stopServiceCopy: (input: { moduleId: string; slot: string }) => stopCopy(deps.dataDir, input),
  async probeServiceCopy(input: {
    moduleId: string;
    slot: string;
    probe: HealthProbe | null;
    cwd: string;
    port: number | null;
    timeoutMs: number;
  }): Promise<CopyProbe> {
    const record = await readRecord(deps.dataDir, input.moduleId, input.slot);
    const pid = await livePid(record);
    const restarts = record?.restarts ?? 0;
    if (input.probe === null) {
      // No health probe: the process being alive is all there is to check.
      return {
        ok: pid !== null,
        at: new Date().toISOString(),
        detail: pid === null ? 'not running' : 'running (no health probe)',
        durationMs: 0,
        pid,
        restarts,
        startedAt: record?.startedAt ?? null,
        gaveUp: record?.gaveUp ?? false,
      };
    }
    const result = await probe(input.probe, input);
    return {
      ...result,
      pid,
      restarts,
      startedAt: record?.startedAt ?? null,
      gaveUp: record?.gaveUp ?? false,
    };
  },
  materializeVersion: (input: { moduleId: string; version: string }) =>
    materializeVersion(deps.dataDir, input),
  freePort,
  /** The module's settings (VersionManagerConfig, service keys), as a cycle reads them at its start. */
  moduleSettings: (input: { moduleId: string }) =>
    new CheckpointStore(deps.dataDir).readConfig(input.moduleId),
  /** Marks a version `reverted` with its closed reason and free text. */
  recordRevert: (input: {
    moduleId: string;
    version: string;
    revert: RevertRecord;
    status?: 'reverted' | 'rolled_back';
  }) => recordRevert(new CheckpointStore(deps.dataDir), input),
  /** Every copy recorded for the module, with whether its pid still runs. */
  async serviceCopies(input: { moduleId: string }): Promise<(CopyRecord & { alive: boolean })[]> {
    const dir = servicesDir(deps.dataDir, input.moduleId);
    const names = await readdir(dir).catch(() => [] as string[]);
    const out: (CopyRecord & { alive: boolean })[] = [];
    for (const name of names.filter((n) => n.endsWith('.json'))) {
      const record = await readRecord(deps.dataDir, input.moduleId, name.slice(0, -5));
      if (record) out.push({ ...record, alive: (await livePid(record)) !== null });
    }
    return out;
  },
});

export type ServiceActivities = ReturnType<typeof createServiceActivities>;
