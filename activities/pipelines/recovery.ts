/**
 * The I/O behind the guide's per-failure plans: free memory and disk before a
 * resource-exhaustion retry, `git fetch` + `git reset --hard` to the last good
 * checkpoint's commit for a git error, and a quality gate's auto-fix command.
 */
import { existsSync } from 'node:fs';
import { rm, statfs } from 'node:fs/promises';
import { freemem } from 'node:os';
import path from 'node:path';
import { runCommand } from '../infra/commands';
import { isRepository } from '../agents/git';
import { gitIn as git } from '../infra/git';

export interface ResourceCheck {
  ok: boolean;
  freeMemoryMb: number;
  freeDiskMb: number;
  detail: string;
}

export interface RecoveryActionResult {
  /** false when the action did not apply (no repository, no auto-fix command). */
  applied: boolean;
  ok: boolean;
  detail: string;
}

const MB = 1024 * 1024;

export async function checkResources(input: {
  workspace: string;
  minFreeMemoryMb: number;
  minFreeDiskMb: number;
}): Promise<ResourceCheck> {
  const freeMemoryMb = Math.floor(freemem() / MB);
  const fs = await statfs(input.workspace);
  const freeDiskMb = Math.floor((Number(fs.bavail) * Number(fs.bsize)) / MB);
  const short: string[] = [];
  if (freeMemoryMb < input.minFreeMemoryMb)
    short.push(`memory ${freeMemoryMb} MB free < ${input.minFreeMemoryMb} MB`);
  if (freeDiskMb < input.minFreeDiskMb)
    short.push(`disk ${freeDiskMb} MB free < ${input.minFreeDiskMb} MB`);
  return {
    ok: short.length === 0,
    freeMemoryMb,
    freeDiskMb,
    detail: short.length
      ? short.join('; ')
      : `memory ${freeMemoryMb} MB, disk ${freeDiskMb} MB free`,
  };
}

/**
 * Fetch (when the repository has a remote; a failed fetch is reported, not
 * fatal — the reset needs only local objects), then reset to `commit` (the
 * checkpoint's) or HEAD. A corrupt index is removed and rebuilt by the reset.
 */
export async function gitResetToCommit(input: {
  workspace: string;
  commit: string | null;
}): Promise<RecoveryActionResult> {
  if (!existsSync(path.join(input.workspace, '.git')))
    return { applied: false, ok: false, detail: 'the workspace is not a git repository' };
  const notes: string[] = [];
  const remotes = await git(input.workspace, ['remote']).catch(() => '');
  if (remotes) {
    await git(input.workspace, ['fetch', '--all', '--prune']).then(
      () => notes.push('fetched'),
      (err: Error) => notes.push(`fetch failed: ${err.message.split('\n')[0]}`),
    );
  }
  const target = input.commit ?? 'HEAD';
  const reset = () => git(input.workspace, ['reset', '--hard', '--quiet', target]);
  try {
    await reset();
  } catch (err) {
    if (!/index/i.test((err as Error).message)) {
      return {
        applied: true,
        ok: false,
        detail: [...notes, `reset failed: ${(err as Error).message.slice(0, 300)}`].join('; '),
      };
    }
    await rm(path.join(input.workspace, '.git', 'index'), { force: true });
    notes.push('removed a corrupt index');
    try {
      await reset();
    } catch (again) {
      return {
        applied: true,
        ok: false,
        detail: [...notes, `reset failed: ${(again as Error).message.slice(0, 300)}`].join('; '),
      };
    }
  }
  const readable = await isRepository(input.workspace);
  notes.push(`reset --hard ${target.slice(0, 12)}`);
  return { applied: true, ok: readable, detail: notes.join('; ') };
}

export async function runAutoFix(input: {
  workspace: string;
  command: string | undefined;
  timeoutSec: number;
  env?: Record<string, string>;
}): Promise<RecoveryActionResult> {
  if (!input.command) return { applied: false, ok: false, detail: 'the step has no autoFix' };
  const r = await runCommand({
    command: input.command,
    cwd: input.workspace,
    timeoutSec: input.timeoutSec,
    env: input.env,
  });
  const ok = r.exitCode === 0 && !r.timedOut;
  return {
    applied: true,
    ok,
    detail: ok
      ? `${input.command}: ok`
      : `${input.command}: ${r.timedOut ? 'timed out' : `exit ${r.exitCode ?? r.signal}`} ${r.stderrTail.slice(-200)}`,
  };
}
