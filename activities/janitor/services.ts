/**
 * Service copies for the janitor (activities/services/): a copy is its
 * processes (tagged `service:<module>:<slot>`) and its files under
 * `<dataDir>/services/<module>/` (`<slot>.json` record, `.log`, `.stop`).
 * Its owner is its copy workflow `service-<module>-<slot>` (the supervisor
 * runs inside it): while that runs the copy is kept; once it is closed or
 * absent nothing will ever stop the copy (slots are never reused), so it is
 * an orphan. Two exceptions keep things a live workflow still needs: a
 * record marked given-up while the module's serve workflow or a cycle runs
 * (that watcher reads it to revert, then removes it), and released versions
 * (`releases/<v>`) while any workflow of the module runs or a live copy
 * runs from them.
 */
import path from 'node:path';
import type { Cleanup, Orphan } from '../../domain/janitor';
import {
  copyWorkflowId,
  moduleServiceWorkflowPrefixes,
  parseServiceOwner,
  serviceOwnerTag,
  SLOT,
} from '../../domain/services/copies';
import { ModuleId } from '../../domain/versions';
import type { TaggedProcess } from '../infra/processes';
import {
  logFile,
  readRecord,
  recordFile,
  servicesDir,
  type CopyRecord,
} from '../services/ownership';
import { ageMs, list } from './files';

export interface ServiceScanInput {
  dataDir: string;
  running: Set<string>;
  minAgeMs: number;
  now: number;
  /** Tagged processes under this data dir, one per process group. */
  procs: TaggedProcess[];
}

const STOP_PRIORITY = 95;
const FILES_PRIORITY = 60;
const RELEASE_PRIORITY = 50;

const key = (moduleId: string, slot: string) => `${moduleId}\0${slot}`;

export async function scanServiceCopies(input: ServiceScanInput): Promise<Orphan[]> {
  const { dataDir, running, now } = input;
  const copies = new Map<string, { moduleId: string; slot: string; procs: TaggedProcess[] }>();
  const copyOf = (moduleId: string, slot: string) => {
    const k = key(moduleId, slot);
    if (!copies.has(k)) copies.set(k, { moduleId, slot, procs: [] });
    return copies.get(k)!;
  };
  for (const p of input.procs) {
    const named = parseServiceOwner(p.owner);
    if (named) copyOf(named.moduleId, named.slot).procs.push(p);
  }
  const modules = (await list(path.join(dataDir, 'services'))).filter(
    (m) => ModuleId.safeParse(m).success,
  );
  for (const moduleId of modules) {
    for (const f of await list(servicesDir(dataDir, moduleId))) {
      const m = /^(.+)\.(json|log|stop)$/.exec(f);
      if (m && SLOT.test(m[1]!)) copyOf(moduleId, m[1]!);
    }
  }

  const moduleBusy = (moduleId: string) => {
    const prefixes = moduleServiceWorkflowPrefixes(moduleId);
    return [...running].some((w) => prefixes.some((p) => w.startsWith(p)));
  };
  const orphans: Orphan[] = [];
  /** cwd of every copy kept (its release must stay). */
  const keptCwds = new Set<string>();

  for (const { moduleId, slot, procs } of copies.values()) {
    const owner = copyWorkflowId(moduleId, slot);
    const record: CopyRecord | undefined = await readRecord(dataDir, moduleId, slot).catch(
      () => undefined,
    );
    const watched = record?.gaveUp === true && procs.length === 0 && moduleBusy(moduleId);
    if (running.has(owner) || watched) {
      if (record) keptCwds.add(record.cwd);
      continue;
    }
    // Written right after each start or death; a copy seen with no file at all is taken as old.
    const ages = await Promise.all(
      ['json', 'log', 'stop'].map((ext) =>
        ageMs(path.join(servicesDir(dataDir, moduleId), `${slot}.${ext}`), now),
      ),
    );
    const known = ages.filter((a): a is number => a !== null);
    const age = known.length ? Math.min(...known) : Infinity;
    if (age < input.minAgeMs) {
      if (record) keptCwds.add(record.cwd);
      continue;
    }
    const files = [
      recordFile(dataDir, moduleId, slot),
      logFile(dataDir, moduleId, slot),
      path.join(servicesDir(dataDir, moduleId), `${slot}.stop`),
    ].filter((_, i) => ages[i] !== null);
    const tag = serviceOwnerTag(moduleId, slot);
    const cleanups: Cleanup[] = [
      ...procs.map((p) => ({
        actionType: 'stop_process',
        activity: 'stopOrphanProcess',
        args: { pid: p.pid, owner: p.owner },
        priority: STOP_PRIORITY,
      })),
      {
        actionType: 'remove_service_copy_files',
        activity: 'removeServiceCopyFiles',
        args: { moduleId, slot },
        priority: FILES_PRIORITY,
      },
    ];
    orphans.push({
      kind: 'service',
      id: `${moduleId}/${slot}`,
      ownerWorkflowId: owner,
      reason: `its copy workflow ${owner} is not running`,
      resources: [...procs.map((p) => `process ${p.pid} (${tag})`), ...files],
      cleanups,
    });
  }

  // Released versions: a cache of checkouts, kept while anything of the module may use one.
  for (const moduleId of modules) {
    if (moduleBusy(moduleId)) continue;
    const dir = path.join(servicesDir(dataDir, moduleId), 'releases');
    for (const version of await list(dir)) {
      if (!/^v[1-9][0-9]*$/.test(version)) continue; // staging dirs are their writer's to remove
      const release = path.join(dir, version);
      if (keptCwds.has(release)) continue;
      const age = await ageMs(release, now);
      if (age === null || age < input.minAgeMs) continue;
      orphans.push({
        kind: 'service',
        id: `${moduleId}/releases/${version}`,
        ownerWorkflowId: null,
        reason: `no live copy runs it and no workflow of ${moduleId} is running`,
        resources: [release],
        cleanups: [
          {
            actionType: 'remove_service_release',
            activity: 'removeServiceRelease',
            args: { moduleId, version },
            priority: RELEASE_PRIORITY,
          },
        ],
      });
    }
  }
  return orphans;
}
