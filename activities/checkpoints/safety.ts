/**
 * Which directories the store may snapshot and restore into. A restore
 * deletes files, so a wrong target is the worst thing this module can do.
 */
import { realpathSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { CheckpointFailure } from '../../domain/checkpointStore';
import { failure, type CheckpointStore } from './store';

function realpathOrSelf(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    return path.resolve(p);
  }
}

function isWithin(child: string, parent: string): boolean {
  const rel = path.relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/** The workspace as an absolute real path, after checking it exists and is a directory. */
export function resolveWorkspace(workspace: string): string {
  const resolved = path.resolve(workspace);
  let real: string;
  try {
    real = realpathSync(resolved);
  } catch {
    throw failure(CheckpointFailure.invalidInput, `workspace ${resolved} does not exist`);
  }
  if (!statSync(real).isDirectory()) {
    throw failure(CheckpointFailure.invalidInput, `workspace ${resolved} is not a directory`);
  }
  return real;
}

/**
 * Refuses a filesystem root, the home directory or any of its ancestors, and
 * anything inside the data dir. A workspace that contains the data dir is
 * fine: the data dir is excluded from its checkpoints.
 */
export function assertNotDangerous(store: CheckpointStore, workspace: string): void {
  const home = realpathOrSelf(homedir());
  const dataDir = realpathOrSelf(store.dataDir);
  const reasons: Array<[boolean, string]> = [
    [path.parse(workspace).root === workspace, 'a filesystem root'],
    [isWithin(home, workspace), 'the home directory or one of its parents'],
    [isWithin(workspace, dataDir), "inside ratchet's data dir"],
  ];
  for (const [dangerous, what] of reasons) {
    if (dangerous) {
      throw failure(CheckpointFailure.dangerousTarget, `refusing ${workspace}: it is ${what}`);
    }
  }
}

/** Restores go only into directories a checkpoint was taken from or that were registered. */
export async function assertRestorable(store: CheckpointStore, workspace: string): Promise<void> {
  assertNotDangerous(store, workspace);
  if (!(await store.registeredWorkspaces()).includes(workspace)) {
    throw failure(
      CheckpointFailure.dangerousTarget,
      `refusing ${workspace}: not a registered workspace (checkpoint it or register it first)`,
    );
  }
}

/** The data dir relative to the workspace when it lies inside (so it is excluded), else null. */
export function dataDirInside(store: CheckpointStore, workspace: string): string | null {
  const dataDir = realpathOrSelf(store.dataDir);
  return isWithin(dataDir, workspace) && dataDir !== workspace
    ? path.relative(workspace, dataDir).split(path.sep).join('/')
    : null;
}
