/** Small async file-system helpers the agent and session steps share. */
import { access, readFile } from 'node:fs/promises';

export async function exists(file: string): Promise<boolean> {
  try {
    await access(file);
    return true;
  } catch {
    return false;
  }
}

/** A pid file's pid, or 0 when there is none (or it is garbage). */
export async function readPid(file: string): Promise<number> {
  try {
    const pid = Number((await readFile(file, 'utf8')).trim());
    return Number.isInteger(pid) && pid > 0 ? pid : 0;
  } catch {
    return 0;
  }
}
