/** The janitor's file reads, where a missing file or folder is an answer, not an error. */
import { readdir, stat } from 'node:fs/promises';

/** The folder's entries; none when it does not exist. */
export async function list(dir: string): Promise<string[]> {
  return readdir(dir).catch(() => []);
}

/** Milliseconds since the file last changed, or null when it does not exist. */
export async function ageMs(file: string, now: number): Promise<number | null> {
  const s = await stat(file).catch(() => null);
  return s ? now - s.mtimeMs : null;
}
