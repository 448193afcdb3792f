/**
 * Which tree a private index holds, remembered beside it (`<index>.tree`) so a
 * restore can diff trees instead of re-staging the whole workspace. The note
 * names the index file it describes (inode, size, mtime in ns): git replaces
 * the index on every write, so any write the note does not know about — a
 * crash between the two, a stray `git` — makes it stale, and a stale note is
 * simply not used.
 */
import { rename, stat, writeFile } from 'node:fs/promises';
import { readJson } from './files';

interface IndexNote {
  tree: string;
  ino: string;
  size: string;
  mtimeNs: string;
}

async function identity(indexFile: string): Promise<Omit<IndexNote, 'tree'> | undefined> {
  try {
    const st = await stat(indexFile, { bigint: true });
    return { ino: String(st.ino), size: String(st.size), mtimeNs: String(st.mtimeNs) };
  } catch {
    return undefined;
  }
}

const noteFile = (indexFile: string) => `${indexFile}.tree`;

/** Call right after git wrote `indexFile` holding exactly `tree` (write-tree, a restore). */
export async function recordIndexTree(indexFile: string, tree: string): Promise<void> {
  const id = await identity(indexFile);
  if (!id) return;
  // A cache, not a record: no fsync (a lost or torn note reads as unknown: the full path runs).
  const tmp = `${noteFile(indexFile)}.${process.pid}.tmp`;
  await writeFile(tmp, JSON.stringify({ tree, ...id }));
  await rename(tmp, noteFile(indexFile));
}

/** The tree the index holds, or undefined when unknown or the note is stale. */
export async function indexTree(indexFile: string): Promise<string | undefined> {
  const note = await readJson<IndexNote>(noteFile(indexFile)).catch(() => undefined);
  const id = await identity(indexFile);
  if (!note || !id || typeof note.tree !== 'string') return undefined;
  return note.ino === id.ino && note.size === id.size && note.mtimeNs === id.mtimeNs
    ? note.tree
    : undefined;
}
