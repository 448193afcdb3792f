/**
 * Proving a checkpoint intact: its manifest is the one recorded (digest), its
 * checksum recomputes, its ref names the manifest's tree, and every object
 * reachable from it is present and hashes to its own id. git's own readers
 * trust loose objects' content, so the hashes are recomputed here from
 * `git cat-file --batch`.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { PassThrough } from 'node:stream';
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

/** What one pass of `verifyObjectsCapturing` found, and the objects it was asked to keep. */
export interface VerifiedObjects {
  problems: string[];
  /** The content of each object whose spec is in `capture` and that hashed right, by spec. */
  captured: Map<string, Buffer>;
}

/** A `git cat-file --batch` started before all it must read is known (its start overlaps other work). */
export interface ObjectVerifier {
  /** Queues specs; the content of those in `capture` is kept. */
  add(specs: readonly string[], capture?: ReadonlySet<string>): void;
  /** No more specs: what git answered, once it has answered them all. Idempotent: call it on every path. */
  finish(): Promise<VerifiedObjects>;
}

/**
 * Streams `git cat-file --batch` over specs (object ids, or `<tree>:<path>`,
 * which git resolves through the trees — rehashed too when they are listed),
 * rehashing each object as `<type> <size>\0<content>` and keeping the content
 * of the specs in `capture` (small objects: a commit, a tree). git answers
 * each input line in order, which is how an answer is matched to its spec.
 * Problems: missing, corrupt, mismatched.
 */
export function startVerifier(
  gitDir: string,
  progress: Progress = () => undefined,
): ObjectVerifier {
  const problems: string[] = [];
  const captured = new Map<string, Buffer>();
  const specs: string[] = [];
  const capture = new Set<string>();
  const input = new PassThrough();
  let pending: Buffer = Buffer.alloc(0);
  let answered = 0;
  let current: {
    id: string;
    spec: string;
    remaining: number;
    hash: ReturnType<typeof createHash>;
    kept?: Buffer[];
  } | null = null;
  let done = 0;
  const onStdout = (chunk: Buffer) => {
    pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
    for (;;) {
      if (current) {
        const take = Math.min(current.remaining, pending.length);
        const part = pending.subarray(0, take);
        current.hash.update(part);
        current.kept?.push(Buffer.from(part));
        current.remaining -= take;
        pending = pending.subarray(take);
        // content is followed by one newline
        if (current.remaining > 0 || pending.length < 1) return;
        pending = pending.subarray(1);
        const actual = current.hash.digest('hex');
        if (actual !== current.id)
          problems.push(`object ${current.id} is corrupt (hashes to ${actual})`);
        else if (current.kept) captured.set(current.spec, Buffer.concat(current.kept));
        current = null;
        if (++done % 2000 === 0) progress(`verified ${done}/${specs.length} objects`);
        continue;
      }
      const nl = pending.indexOf(10);
      if (nl < 0) return;
      const header = pending.subarray(0, nl).toString('utf8');
      pending = pending.subarray(nl + 1);
      const spec = specs[answered++] ?? '';
      // "<id> <type> <size>", or "<spec> missing" (a spec may hold spaces: split from the end)
      const parts = header.split(' ');
      const size = parts.length >= 3 ? parts[parts.length - 1] : undefined;
      const type = parts.length >= 3 ? parts[parts.length - 2] : undefined;
      if (header.endsWith(' missing') || header.endsWith(' ambiguous') || !size || !type) {
        problems.push(`object ${header.replace(/ (missing|ambiguous)$/, '')} is missing`);
        continue;
      }
      const id = parts[0]!;
      const hash = createHash('sha1').update(`${type} ${size}\0`);
      const kept = capture.has(spec) ? { kept: [] } : {};
      current = { id, spec, remaining: Number(size), hash, ...kept };
    }
  };
  const run = gitStream(['cat-file', '--batch'], {
    env: { GIT_DIR: gitDir },
    input,
    onStdout,
  });
  run.catch(() => undefined); // awaited (and reported) in finish, maybe much later
  let finished: Promise<VerifiedObjects> | undefined;
  return {
    add(more, keep = new Set()) {
      if (more.length === 0) return;
      specs.push(...more);
      for (const s of keep) capture.add(s);
      input.write(`${more.join('\n')}\n`);
    },
    finish() {
      finished ??= (async () => {
        input.end();
        const { code, stderr } = await run;
        if (code !== 0) {
          const msg = stderr.trim().split('\n')[0];
          problems.push(`objects unreadable: ${msg || `git cat-file exited ${code}`}`);
        }
        return { problems, captured };
      })();
      return finished;
    },
  };
}

/** `startVerifier` over a list known up front. */
export async function verifyObjectsCapturing(
  gitDir: string,
  specs: readonly string[],
  capture: ReadonlySet<string> = new Set(),
  progress: Progress = () => undefined,
): Promise<VerifiedObjects> {
  const verifier = startVerifier(gitDir, progress);
  verifier.add(specs, capture);
  return verifier.finish();
}

/** `verifyObjectsCapturing` without keeping anything: the problems alone. */
export async function verifyObjects(
  gitDir: string,
  ids: readonly string[],
  progress: Progress = () => undefined,
): Promise<string[]> {
  return (await verifyObjectsCapturing(gitDir, ids, new Set(), progress)).problems;
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
  const commit = await readRef(store, ref);
  if (!commit) {
    problems.push(`ref ${ref} is missing`);
    return { problems, manifest };
  }
  if (commit !== manifest.commit)
    problems.push(`ref ${ref} points to ${commit}, manifest says ${manifest.commit}`);
  return { problems, manifest, commit };
}

/**
 * The commit a ref names, read from its loose file or `packed-refs` (what
 * `git rev-parse` would do, without a process on every restore); '' when absent.
 * Anything unusual (a symbolic ref) asks git.
 */
export async function readRef(store: CheckpointStore, ref: string): Promise<string> {
  const hex = /^[0-9a-f]{40}(?:[0-9a-f]{24})?$/;
  const loose = await readFile(path.join(store.gitDir, ref), 'utf8').catch(() => undefined);
  if (loose !== undefined && hex.test(loose.trim())) return loose.trim();
  if (loose === undefined) {
    const packed = await readFile(path.join(store.gitDir, 'packed-refs'), 'utf8').catch(() => '');
    const line = packed.split('\n').find((l) => l.endsWith(` ${ref}`));
    const id = line?.split(' ')[0];
    if (id && hex.test(id)) return id;
    if (!packed.includes(ref)) return '';
  }
  return gitText(['rev-parse', '--verify', '-q', ref], { env: store.objectEnv }).catch(() => '');
}

/** The tree a (rehashed) commit's content names: its first header line. */
export function treeOfCommit(content: Buffer): string | undefined {
  return /^tree ([0-9a-f]+)\n/.exec(content.subarray(0, 100).toString('utf8'))?.[1];
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
