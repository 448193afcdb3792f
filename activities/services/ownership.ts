/**
 * Which process is a module's service copy, recorded under the data dir
 * (`services/<module>/<slot>.json`) so that a new supervisor attempt — after
 * the worker that ran the last one was SIGKILLed — finds the copy it left,
 * and adopts or stops it instead of starting a second one. A pid is only
 * trusted while the process still carries the copy's owner tag
 * (activities/infra/processes.ts), so a recycled pid is never touched.
 */
import { access, mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { serviceOwnerTag } from '../../domain/services/copies';
import { readJson, writeJsonAtomic } from '../infra/atomicFile';
import { groupRepresentatives, ownedBy, ownedProcesses, stopProcess } from '../infra/processes';

export interface CopyRecord {
  moduleId: string;
  slot: string;
  version: string;
  cwd: string;
  port: number | null;
  /** null between a death and the next start. */
  pid: number | null;
  owner: string;
  /** ISO-8601: when this pid started. */
  startedAt: string | null;
  /** Deaths the supervisor restarted it after. */
  restarts: number;
  /** It died more often than its restart budget allows and was not started again. */
  gaveUp?: boolean;
}

export function servicesDir(dataDir: string, moduleId: string): string {
  return path.join(dataDir, 'services', moduleId);
}

export function recordFile(dataDir: string, moduleId: string, slot: string): string {
  return path.join(servicesDir(dataDir, moduleId), `${slot}.json`);
}

export function logFile(dataDir: string, moduleId: string, slot: string): string {
  return path.join(servicesDir(dataDir, moduleId), `${slot}.log`);
}

/** The tag every process of this copy carries (RATCHET_OWNER). */
export function ownerTag(moduleId: string, slot: string): string {
  return serviceOwnerTag(moduleId, slot);
}

export function readRecord(
  dataDir: string,
  moduleId: string,
  slot: string,
): Promise<CopyRecord | undefined> {
  return readJson<CopyRecord>(recordFile(dataDir, moduleId, slot));
}

export async function writeRecord(dataDir: string, record: CopyRecord): Promise<void> {
  await ensureServicesDir(dataDir, record.moduleId);
  await writeJsonAtomic(recordFile(dataDir, record.moduleId, record.slot), record);
}

/**
 * The module's folder: a module served from its workspace (no version yet)
 * has no release under it, and the copy's log is opened before any record.
 */
export async function ensureServicesDir(dataDir: string, moduleId: string): Promise<void> {
  await mkdir(servicesDir(dataDir, moduleId), { recursive: true });
}

export async function removeRecord(dataDir: string, moduleId: string, slot: string): Promise<void> {
  await rm(recordFile(dataDir, moduleId, slot), { force: true });
}

/** The recorded pid, when that process is alive and still this copy's. */
export async function livePid(record: CopyRecord | undefined): Promise<number | null> {
  if (!record?.pid) return null;
  return (await ownedBy(record.pid, record.owner)) ? record.pid : null;
}

/**
 * Stops every process tagged as this copy under this data dir except `keep`:
 * also finds a copy started just before a crash, before its record was written.
 * Returns how many groups were stopped.
 */
export async function stopStrays(
  dataDir: string,
  owner: string,
  keep: number | null = null,
): Promise<number> {
  let stopped = 0;
  const ours = (await ownedProcesses()).filter((p) => p.owner === owner && p.dataDir === dataDir);
  for (const p of groupRepresentatives(ours)) {
    if (keep !== null && (p.pgid === keep || p.pid === keep)) continue;
    if ((await stopProcess(p.pid, owner, 2_000)) !== 'not_running') stopped++;
  }
  return stopped;
}

function stopFile(dataDir: string, moduleId: string, slot: string): string {
  return path.join(servicesDir(dataDir, moduleId), `${slot}.stop`);
}

/** Tells the copy's supervisor to stop it and not restart it (slots are never reused). */
export async function requestStop(dataDir: string, moduleId: string, slot: string): Promise<void> {
  await ensureServicesDir(dataDir, moduleId);
  await writeJsonAtomic(stopFile(dataDir, moduleId, slot), { at: new Date().toISOString() });
}

export async function stopRequested(
  dataDir: string,
  moduleId: string,
  slot: string,
): Promise<boolean> {
  return access(stopFile(dataDir, moduleId, slot)).then(
    () => true,
    () => false,
  );
}
