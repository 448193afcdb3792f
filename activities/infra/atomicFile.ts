/**
 * Atomic file writes on `write-file-atomic` (temp file in the same directory,
 * fsync, rename: a reader sees the old content or the new, never half), and
 * the JSON read that goes with them (readJson.ts). Async: activities never
 * block the worker.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import writeFileAtomicLib from 'write-file-atomic';

export async function writeFileAtomic(
  file: string,
  data: string | Buffer,
  options: { mode?: number } = {},
): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFileAtomicLib(file, data, options.mode === undefined ? {} : { mode: options.mode });
}

export async function writeJsonAtomic(file: string, value: unknown): Promise<void> {
  await writeFileAtomic(file, `${JSON.stringify(value, null, 2)}\n`);
}

export { readJson } from './readJson';
