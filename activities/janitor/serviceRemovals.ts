/**
 * The janitor's removals for service copies: a copy's files once nothing of
 * it runs, and a released version nobody uses. Each re-checks at removal
 * time what the scan saw (the copy's workflow, the module's workflows) and
 * refuses paths it did not build itself from a valid module id and slot.
 */
import { rm, rmdir } from 'node:fs/promises';
import path from 'node:path';
import { ApplicationFailure } from '@temporalio/activity';
import { copyWorkflowId, moduleServiceWorkflowPrefixes, SLOT } from '../../domain/services/copies';
import { ModuleId } from '../../domain/versions';
import { logFile, ownerTag, recordFile, servicesDir, stopStrays } from '../services/ownership';

function unsafe(what: string): never {
  throw ApplicationFailure.create({
    type: 'UnsafeCleanupTarget',
    message: `refusing to remove ${what}: not a service copy ratchet names`,
    nonRetryable: true,
  });
}

/** Removes the module's folder (and its releases folder) when nothing is left in them. */
async function pruneEmpty(dataDir: string, moduleId: string): Promise<void> {
  const dir = servicesDir(dataDir, moduleId);
  await rmdir(path.join(dir, 'releases')).catch(() => undefined);
  await rmdir(dir).catch(() => undefined);
}

export async function removeServiceCopyFiles(
  dataDir: string,
  running: () => Promise<Set<string>>,
  input: { moduleId: string; slot: string },
): Promise<{ skipped: true } | { removed: string[]; stoppedStrays: number }> {
  if (!ModuleId.safeParse(input.moduleId).success || !SLOT.test(input.slot))
    unsafe(`${input.moduleId}/${input.slot}`);
  if ((await running()).has(copyWorkflowId(input.moduleId, input.slot))) return { skipped: true };
  // Anything of the copy still running (started after the scan, or a stop that failed) goes first.
  const stoppedStrays = await stopStrays(dataDir, ownerTag(input.moduleId, input.slot));
  const files = [
    recordFile(dataDir, input.moduleId, input.slot),
    logFile(dataDir, input.moduleId, input.slot),
    path.join(servicesDir(dataDir, input.moduleId), `${input.slot}.stop`),
  ];
  for (const f of files) await rm(f, { force: true });
  await pruneEmpty(dataDir, input.moduleId);
  return { removed: files, stoppedStrays };
}

export async function removeServiceRelease(
  dataDir: string,
  running: () => Promise<Set<string>>,
  input: { moduleId: string; version: string },
): Promise<{ skipped: true } | { removed: string }> {
  if (!ModuleId.safeParse(input.moduleId).success || !/^v[1-9][0-9]*$/.test(input.version))
    unsafe(`${input.moduleId}/releases/${input.version}`);
  const prefixes = moduleServiceWorkflowPrefixes(input.moduleId);
  if ([...(await running())].some((w) => prefixes.some((p) => w.startsWith(p))))
    return { skipped: true };
  const release = path.join(servicesDir(dataDir, input.moduleId), 'releases', input.version);
  await rm(release, { recursive: true, force: true });
  await pruneEmpty(dataDir, input.moduleId);
  return { removed: release };
}
