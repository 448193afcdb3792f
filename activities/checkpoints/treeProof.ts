/**
 * Reading what a tree says about a path, and proving a workspace path holds
 * it: the fast restore's checks, on objects already rehashed and files it
 * just wrote (no git process for either).
 */
import { createHash } from 'node:crypto';
import { lstat, readFile, readlink } from 'node:fs/promises';
import path from 'node:path';

export interface Entry {
  path: string;
  mode: string;
  id: string;
}

/** The entry `name` in a raw tree object ("<mode> <name>\0<20-byte id>" repeated). */
export function treeEntry(tree: Buffer, name: string): { mode: string; id: string } | undefined {
  let at = 0;
  while (at < tree.length) {
    const space = tree.indexOf(0x20, at);
    const nul = tree.indexOf(0, space);
    if (space < 0 || nul < 0) return undefined;
    if (tree.toString('utf8', space + 1, nul) === name) {
      return {
        mode: tree.toString('utf8', at, space).padStart(6, '0'),
        id: tree.toString('hex', nul + 1, nul + 21),
      };
    }
    at = nul + 21;
  }
  return undefined;
}

/** The id git gives `content` as a blob. */
function blobId(content: Buffer): string {
  return createHash('sha1').update(`blob ${content.length}\0`).update(content).digest('hex');
}

/** Whether `rel` holds exactly `entry` (content, symlink target, executable bit). */
export async function holds(workspace: string, entry: Entry): Promise<boolean> {
  const full = path.join(workspace, entry.path);
  try {
    const st = await lstat(full);
    if (entry.mode === '120000') {
      return (
        st.isSymbolicLink() && blobId(await readlink(full, { encoding: 'buffer' })) === entry.id
      );
    }
    const executable = (st.mode & 0o100) !== 0;
    return (
      st.isFile() &&
      executable === (entry.mode === '100755') &&
      blobId(await readFile(full)) === entry.id
    );
  } catch {
    return false;
  }
}

/** Whether `rel` is gone (or is now a directory the checkpoint fills). */
export async function gone(
  workspace: string,
  rel: string,
  written: readonly Entry[],
): Promise<boolean> {
  try {
    const st = await lstat(path.join(workspace, rel));
    return st.isDirectory() && written.some((e) => e.path.startsWith(`${rel}/`));
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ENOENT';
  }
}
