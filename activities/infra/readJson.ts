/**
 * The JSON read that goes with atomicFile.ts's writes, on its own: readers
 * (the CLI listing the registry) load no write-file-atomic.
 */
import { readFile } from 'node:fs/promises';

/** The parsed file, or undefined when it does not exist (any other error is thrown). */
export async function readJson<T>(file: string): Promise<T | undefined> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as T;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}
