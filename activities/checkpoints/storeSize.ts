/** Bytes the object store takes on disk (loose objects and packs). */
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { CheckpointStore } from './store';

async function du(dir: string): Promise<number> {
  let total = 0;
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  for (const e of entries) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) total += await du(p);
    else if (e.isFile()) total += (await stat(p)).size;
  }
  return total;
}

export function storeSize(store: CheckpointStore): Promise<number> {
  return du(path.join(store.gitDir, 'objects'));
}

export { du as directorySize };
