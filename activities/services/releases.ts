/**
 * A version materialised for its service: the checkpoint's tree checked out
 * into `<dataDir>/services/<module>/releases/<version>`, so the running copy
 * never sees the workspace change under it (a candidate being evaluated, a
 * rollback). Written straight from the store's objects with a private index
 * (`git checkout-index`), never through the workspace restore (which refuses
 * targets inside the data dir, rightly for workspaces).
 */
import { existsSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { CheckpointStore, type Manifest } from '../checkpoints/store';
import { git } from '../checkpoints/git';
import { servicesDir } from './ownership';
import { CheckpointFailure } from '../../domain/checkpointStore';
import { ApplicationFailure } from '@temporalio/common';

export async function materializeVersion(
  dataDir: string,
  input: { moduleId: string; version: string },
): Promise<string> {
  const dir = path.join(servicesDir(dataDir, input.moduleId), 'releases', input.version);
  if (existsSync(dir)) return dir; // written whole (renamed into place) or not at all
  const store = new CheckpointStore(dataDir);
  const text = await store.readManifestText(input.moduleId, input.version);
  if (text === undefined)
    throw ApplicationFailure.create({
      type: CheckpointFailure.notFound,
      message: `no checkpoint ${input.moduleId}@${input.version} to serve`,
      nonRetryable: true,
    });
  const manifest = JSON.parse(text) as Manifest;
  const staging = `${dir}.tmp-${process.pid}-${Date.now()}`;
  await mkdir(staging, { recursive: true });
  try {
    // A bare store has no work tree: the staging dir serves as one for this checkout.
    const env = { ...store.objectEnv, GIT_INDEX_FILE: `${staging}.index`, GIT_WORK_TREE: staging };
    await git(['read-tree', manifest.tree], { env });
    await git(['checkout-index', '-a', `--prefix=${staging}/`], { env });
    for (const d of manifest.emptyDirs) await mkdir(path.join(staging, d), { recursive: true });
    await rename(staging, dir);
  } finally {
    await rm(staging, { recursive: true, force: true });
    await rm(`${staging}.index`, { force: true });
  }
  return dir;
}
