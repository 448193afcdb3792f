/**
 * Public interfaces of checkpointed versions, remembered by content. Reading
 * an interface means writing the version's TypeScript files to a temp dir and
 * type-checking its entry point (~200 ms); an iteration assesses the version
 * it started from, which the iteration before it already read. The key is
 * the version's TypeScript-relevant paths and blob ids (what extraction reads:
 * the temp dir holds nothing else), the extractor's format and TypeScript's
 * version, so a cached entry can only be the interface the extraction would
 * give again. A user's `interfaceCommand` is never cached: it may read more
 * than the tree.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import type { PublicInterface } from '../../domain/interfaceDiff';
import { readJson, writeJsonAtomic } from '../infra/atomicFile';
import { gitList } from './git';
import type { CheckpointStore } from './store';

/** Paths a TypeScript extraction can read (entry points, sources, package and compiler settings). */
export const TS_FILES = /(^|\/)(package\.json|tsconfig\.json)$|\.(ts|tsx|mts|cts|js|mjs|cjs)$/;

/** Bump when extractTsInterface's output for the same files changes. */
const EXTRACTOR_FORMAT = 1;

let typescriptVersion: string | undefined;
const tsVersion = (): string =>
  (typescriptVersion ??= (require('typescript/package.json') as { version: string }).version);

/** The content key of a version's TypeScript-relevant files. */
export async function tsContentKey(
  store: CheckpointStore,
  moduleId: string,
  version: string,
): Promise<string> {
  const entries = await gitList(
    ['ls-tree', '-r', '-z', `${store.refOf(moduleId, version)}^{tree}`],
    {
      env: store.objectEnv,
    },
  );
  const relevant = entries.filter((e) => TS_FILES.test(e.slice(e.indexOf('\t') + 1))).sort();
  return createHash('sha256')
    .update(`${EXTRACTOR_FORMAT}\0${tsVersion()}\0${relevant.join('\0')}`)
    .digest('hex');
}

interface CachedInterface {
  items: PublicInterface;
  reason: string;
}

const fileOf = (store: CheckpointStore, key: string) =>
  path.join(store.root, 'interfaces', `${key}.json`);

export async function cachedInterface(
  store: CheckpointStore,
  key: string,
): Promise<CachedInterface | null> {
  try {
    const hit = await readJson<CachedInterface>(fileOf(store, key));
    return hit && 'items' in hit && typeof hit.reason === 'string' ? hit : null;
  } catch {
    // An unreadable entry is a miss: the extraction runs again and rewrites it.
    return null;
  }
}

export async function rememberInterface(
  store: CheckpointStore,
  key: string,
  value: CachedInterface,
): Promise<void> {
  await writeJsonAtomic(fileOf(store, key), value);
}
