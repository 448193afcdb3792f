/**
 * Staging a workspace into its private index and writing its tree: the one
 * step create, restore and workspaceChecksum share. Incremental because the
 * index keeps each file's stat data: only files whose stat changed are read.
 */
import { open, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { gitList, gitText, git } from './git';
import { recordIndexTree } from './indexState';
import { dataDirInside } from './safety';
import { treeChecksum, type CheckpointStore } from './store';

export interface WorkspaceTree {
  tree: string;
  emptyDirs: string[];
  files: number;
  checksum: string;
}

/** `.git` at any depth, the data dir if inside, then the module's own patterns. */
export function excludesText(
  store: CheckpointStore,
  workspace: string,
  patterns: readonly string[],
): string {
  const inside = dataDirInside(store, workspace);
  return `${['.git', ...(inside ? [`/${inside}/`] : []), ...patterns].join('\n')}\n`;
}

/** Whether the exclusions last applied to this index are still the module's. */
export async function excludesUnchanged(
  store: CheckpointStore,
  moduleId: string,
  workspace: string,
  patterns: readonly string[],
): Promise<boolean> {
  const previous = await readFile(store.excludeFile(moduleId, workspace), 'utf8').catch(
    () => undefined,
  );
  return previous === excludesText(store, workspace, patterns);
}

/** Writes the exclusions file; returns it and whether its content changed since the last stage. */
async function writeExcludes(
  store: CheckpointStore,
  moduleId: string,
  workspace: string,
  patterns: readonly string[],
): Promise<{ file: string; changed: boolean }> {
  const text = excludesText(store, workspace, patterns);
  const file = store.excludeFile(moduleId, workspace);
  const previous = await readFile(file, 'utf8').catch(() => undefined);
  if (previous === text) return { file, changed: false };
  await writeFile(file, text);
  return { file, changed: true };
}

/** Entry count from the index header (bytes 8–11), instead of another git process. */
async function indexEntryCount(indexFile: string): Promise<number> {
  const handle = await open(indexFile, 'r');
  try {
    const header = Buffer.alloc(12);
    await handle.read(header, 0, 12, 0);
    return header.readUInt32BE(8);
  } finally {
    await handle.close();
  }
}

/**
 * Leaf directories with nothing in them. git reports untracked directories
 * that hold no trackable file; inside those, walk for truly empty leaves,
 * skipping what the excludes ignore.
 */
async function findEmptyDirs(
  workspace: string,
  gitArgs: string[],
  env: Record<string, string>,
): Promise<string[]> {
  const candidates = (
    await gitList([...gitArgs, 'ls-files', '-z', '-o', '--directory', '--exclude-standard'], {
      env,
      cwd: workspace,
    })
  ).filter((p) => p.endsWith('/'));
  const empty: string[] = [];
  let level = candidates.map((p) => p.slice(0, -1));
  while (level.length > 0) {
    const next: string[] = [];
    for (const rel of level) {
      const entries = await readdir(path.join(workspace, rel), { withFileTypes: true });
      if (entries.length === 0) empty.push(rel);
      for (const e of entries) if (e.isDirectory()) next.push(`${rel}/${e.name}`);
    }
    if (next.length === 0) break;
    const ignored = new Set(
      await gitList([...gitArgs, 'check-ignore', '-z', '--stdin'], {
        env,
        cwd: workspace,
        input: next.map((p) => `${p}/`).join('\0') + '\0',
        okCodes: [1],
      }),
    );
    level = next.filter((p) => !ignored.has(`${p}/`) && !ignored.has(p));
  }
  return empty.sort();
}

/** Stages the workspace (excludes applied) into the module's index and writes its tree. */
export async function stageWorkspace(
  store: CheckpointStore,
  moduleId: string,
  workspace: string,
): Promise<WorkspaceTree> {
  const config = await store.readConfig(moduleId);
  const excludes = await writeExcludes(store, moduleId, workspace, config.exclude);
  const env = store.gitEnv(moduleId, workspace);
  const gitArgs = ['-c', `core.excludesFile=${excludes.file}`];
  // Loose objects at zlib level 1 (git's default is 6): several times faster to write, and
  // ~1.5× their size only until `git gc` (cleanup) packs them at the usual level. A first
  // checkpoint of a big workspace is mostly this compression.
  await git([...gitArgs, '-c', 'core.looseCompression=1', 'add', '-A'], { env, cwd: workspace });
  if (excludes.changed) {
    // Files the new exclusions cover leave the index (`git add` alone keeps tracked files).
    const nowExcluded = await gitList(
      [...gitArgs, 'ls-files', '-z', '--cached', '--ignored', '--exclude-standard'],
      { env, cwd: workspace },
    );
    if (nowExcluded.length > 0) {
      await git(
        ['rm', '-r', '--cached', '--quiet', '--pathspec-from-file=-', '--pathspec-file-nul'],
        { env, cwd: workspace, input: nowExcluded.join('\0') },
      );
    }
  }
  // Both only read the staged index (write-tree replaces it atomically if at all): side by side.
  const [tree, emptyDirs] = await Promise.all([
    gitText(['write-tree'], { env, cwd: workspace }),
    findEmptyDirs(workspace, gitArgs, env),
  ]);
  await recordIndexTree(env.GIT_INDEX_FILE!, tree);
  const files = await indexEntryCount(env.GIT_INDEX_FILE!);
  return { tree, emptyDirs, files, checksum: treeChecksum(tree, emptyDirs) };
}
