/** `ratchet evolve stats`: domain/evolution/stats.ts over the durable event logs under the data dir. */
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { readEventLog } from '../activities/evolution/eventLog';
import { CheckpointStore } from '../activities/checkpoints';
import { getLineage } from '../activities/checkpoints/lineage';
import { evolutionStats, type EvolutionStats } from '../domain/evolution/stats';
import { ModuleId } from '../domain/versions';

export interface ModuleStats extends EvolutionStats {
  moduleId: string;
  /** The module's checkpoints in the store now: all versions, and those not pruned by retention. */
  checkpoints: { total: number; live: number };
}

async function moduleStats(dataDir: string, moduleId: string): Promise<ModuleStats> {
  const dir = path.join(dataDir, 'evolution', moduleId);
  const files = existsSync(dir)
    ? (await readdir(dir)).filter((f) => f.endsWith('.events.jsonl')).sort()
    : [];
  const cycles = await Promise.all(files.map((f) => readEventLog(path.join(dir, f))));
  const lineage = await getLineage(new CheckpointStore(dataDir), moduleId).catch(() => []);
  return {
    moduleId,
    checkpoints: { total: lineage.length, live: lineage.filter((v) => !v.pruned).length },
    ...evolutionStats(cycles),
  };
}

/** One module's statistics, or every module's that has event logs. */
export async function evolutionStatsOf(dataDir: string, moduleId?: string): Promise<ModuleStats[]> {
  if (moduleId !== undefined) return [await moduleStats(dataDir, ModuleId.parse(moduleId))];
  const root = path.join(dataDir, 'evolution');
  const names = existsSync(root) ? await readdir(root, { withFileTypes: true }) : [];
  const modules = names
    .filter((d) => d.isDirectory() && ModuleId.safeParse(d.name).success)
    .map((d) => d.name)
    .sort();
  return Promise.all(modules.map((m) => moduleStats(dataDir, m)));
}
