/**
 * Proving a checkpoint intact: its manifest is the one recorded (digest), its
 * checksum recomputes, its ref names the manifest's tree, and every object
 * reachable from it is present and hashes to its own id. git's own readers
 * trust loose objects' content, so the hashes are recomputed here from
 * `git cat-file --batch`.
 */
import { createHash } from 'node:crypto';
import type { CheckpointValidation } from '../../domain/checkpointStore';
import type { CheckpointRecord } from '../../domain/versions';
import { gitStream, gitText } from './git';
import {
  digestOf,
  treeChecksum,
  type CheckpointStore,
  type Manifest,
  type Progress,
} from './store';

/**
 * Streams `git cat-file --batch` over `ids`, rehashing each object as
 * `<type> <size>\0<content>`. Returns problems (missing, corrupt, mismatched).
 */
export async function verifyObjects(
  gitDir: string,
  ids: readonly string[],
  progress: Progress = () => undefined,
): Promise<string[]> {
  const problems: string[] = [];
  let pending: Buffer = Buffer.alloc(0);
  let current: { id: string; remaining: number; hash: ReturnType<typeof createHash> } | null = null;
  let done = 0;
  const onStdout = (chunk: Buffer) => {
    pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
    for (;;) {
      if (current) {
        const take = Math.min(current.remaining, pending.length);
        current.hash.update(pending.subarray(0, take));
        current.remaining -= take;
        pending = pending.subarray(take);
        // content is followed by one newline
        if (current.remaining > 0 || pending.length < 1) return;
        pending = pending.subarray(1);
        const actual = current.hash.digest('hex');
        if (actual !== current.id)
          problems.push(`object ${current.id} is corrupt (hashes to ${actual})`);
        current = null;
        if (++done % 2000 === 0) progress(`verified ${done}/${ids.length} objects`);
        continue;
      }
      const nl = pending.indexOf(10);
      if (nl < 0) return;
      const header = pending.subarray(0, nl).toString('utf8');
      pending = pending.subarray(nl + 1);
      const [id, type, size] = header.split(' ');
      if (type === 'missing' || size === undefined) {
        problems.push(`object ${id} is missing`);
        continue;
      }
      const hash = createHash('sha1').update(`${type} ${size}\0`);
      current = { id: id!, remaining: Number(size), hash };
    }
  };
  const { code, stderr } = await gitStream(['cat-file', '--batch'], {
    env: { GIT_DIR: gitDir },
    input: ids.join('\n') + '\n',
    onStdout,
  });
  if (code !== 0) {
    const msg = stderr.trim().split('\n')[0];
    problems.push(`objects unreadable: ${msg || `git cat-file exited ${code}`}`);
  }
  return problems;
}

/** Every object id reachable from `commit`, or a problem when the walk itself fails. */
async function reachableObjects(
  store: CheckpointStore,
  commit: string,
): Promise<string[] | string> {
  try {
    const out = await gitText(['rev-list', '--objects', '--no-object-names', commit], {
      env: store.objectEnv,
    });
    return out.split('\n').filter(Boolean);
  } catch (err) {
    return `objects missing or unreadable: ${(err as Error).message}`;
  }
}

/** A checkpoint's record checked against its manifest and ref, without reading its objects. */
export interface ManifestCheck {
  problems: string[];
  manifest?: Manifest;
  /** The commit the ref names, when it exists. */
  commit?: string;
}

/**
 * The cheap half of validation: the manifest is the one recorded (digest), its
 * checksum recomputes, the ref exists and names the manifest's commit. A
 * restore needs this before anything else; `checkpoint validate` adds the
 * rehash of every object.
 */
export async function checkManifest(
  store: CheckpointStore,
  record: CheckpointRecord,
): Promise<ManifestCheck> {
  const problems: string[] = [];
  const text = await store.readManifestText(record.moduleId, record.version);
  if (text === undefined) {
    problems.push('manifest is missing');
    return { problems };
  }
  if (record.manifestDigest !== undefined && digestOf(text) !== record.manifestDigest) {
    problems.push('manifest was modified after the checkpoint was taken (digest mismatch)');
  }
  let manifest: Manifest;
  try {
    manifest = JSON.parse(text) as Manifest;
  } catch {
    problems.push('manifest is not valid JSON');
    return { problems };
  }
  if (manifest.checksum !== record.checksum) {
    problems.push(
      `manifest checksum ${manifest.checksum} differs from the lineage's ${record.checksum}`,
    );
  }
  if (treeChecksum(manifest.tree, manifest.emptyDirs ?? []) !== record.checksum) {
    problems.push('checksum does not recompute from the manifest tree and empty dirs');
  }
  const ref = store.refOf(record.moduleId, record.version);
  const commit = await gitText(['rev-parse', '--verify', '-q', ref], {
    env: store.objectEnv,
  }).catch(() => '');
  if (!commit) {
    problems.push(`ref ${ref} is missing`);
    return { problems, manifest };
  }
  if (commit !== manifest.commit)
    problems.push(`ref ${ref} points to ${commit}, manifest says ${manifest.commit}`);
  return { problems, manifest, commit };
}

/** The commit (already rehashed) holds the manifest's tree. */
export async function checkCommitTree(
  store: CheckpointStore,
  commit: string,
  manifest: Manifest,
): Promise<string[]> {
  const tree = await gitText(['rev-parse', `${commit}^{tree}`], { env: store.objectEnv });
  return tree === manifest.tree
    ? []
    : [`commit holds tree ${tree}, manifest says ${manifest.tree}`];
}

export async function validateRecord(
  store: CheckpointStore,
  record: CheckpointRecord,
  progress: Progress = () => undefined,
): Promise<CheckpointValidation & { manifest?: Manifest }> {
  const { problems, manifest, commit } = await checkManifest(store, record);
  const result = () => ({
    checkpointId: record.id,
    ok: problems.length === 0,
    problems,
    ...(manifest ? { manifest } : {}),
  });
  if (!manifest || !commit) return result();
  progress(`listing objects of ${record.id}`);
  const ids = await reachableObjects(store, commit);
  if (typeof ids === 'string') {
    problems.push(ids);
    return result();
  }
  problems.push(...(await verifyObjects(store.gitDir, ids, progress)));
  if (problems.length === 0) problems.push(...(await checkCommitTree(store, commit, manifest)));
  return result();
}
