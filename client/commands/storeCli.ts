/**
 * What the checkpoint and versions commands share: the store under the
 * configured data dir, and the mapping from store failures to exit codes.
 */
import { ApplicationFailure } from '@temporalio/common';
import { ZodError } from 'zod';
import { CheckpointStore } from '../../activities/checkpoints';
import { CheckpointFailure } from '../../domain/checkpointStore';
import { settingsFrom, type GlobalOptions } from '../context';
import { CliError, ExitCode } from '../output';

export function storeFrom(globals: GlobalOptions): CheckpointStore {
  return new CheckpointStore(settingsFrom(globals).dataDir);
}

/** Corruption is a failed operation (1); everything else the store refuses is bad input (2). */
export async function storeCall<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof ApplicationFailure) {
      const code = err.type === CheckpointFailure.corrupted ? ExitCode.failed : ExitCode.badInput;
      throw new CliError(err.message, code);
    }
    if (err instanceof ZodError) {
      throw new CliError(err.issues.map((i) => i.message).join('; '), ExitCode.badInput);
    }
    throw err;
  }
}

/** Commander collector for repeatable options (`--tag a --tag b`). */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['kB', 'MB', 'GB'];
  let v = n / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v.toFixed(1)} ${units[u]}`;
}
