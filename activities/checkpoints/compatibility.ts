/**
 * Compatibility between two versions of a module (or a version and the
 * workspace as it is now): extract each side's public interface — the
 * module's `interfaceCommand` output if it has one, else the TypeScript entry
 * point's exports — and grade the difference (domain/interfaceDiff).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CheckpointFailure } from '../../domain/checkpointStore';
import {
  diffInterfaces,
  interfaceFromLines,
  type PublicInterface,
} from '../../domain/interfaceDiff';
import { checkpointIdOf } from '../../domain/lineage';
import { ModuleId, type CompatibilityReport } from '../../domain/versions';
import { runCommand } from '../infra/commands';
import { git, gitList } from './git';
import { cachedInterface, rememberInterface, TS_FILES, tsContentKey } from './interfaceCache';
import { resolveWorkspace } from './safety';
import { failure, type CheckpointStore, type ModuleConfig, type Progress } from './store';
import { extractTsInterface } from './tsInterface';

/** Writes a checkpoint's tree (or only its TypeScript-relevant files) into a fresh temp dir. */
async function materialize(
  store: CheckpointStore,
  moduleId: string,
  version: string,
  onlyTsFiles: boolean,
): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), `ratchet-${moduleId}-${version}-`));
  const env = {
    GIT_DIR: store.gitDir,
    GIT_WORK_TREE: dir,
    GIT_INDEX_FILE: path.join(dir, '.ratchet-index'),
  };
  await git(['read-tree', `${store.refOf(moduleId, version)}^{tree}`], { env, cwd: dir });
  const paths = (await gitList(['ls-files', '-z'], { env, cwd: dir })).filter(
    (p) => !onlyTsFiles || TS_FILES.test(p),
  );
  await git(['checkout-index', '-f', '-z', '--stdin'], { env, cwd: dir, input: paths.join('\0') });
  await rm(env.GIT_INDEX_FILE, { force: true });
  return dir;
}

/**
 * Runs the user's interface command (their shell command) through the command
 * runner: own process group, killed whole at the timeout. Null items with a
 * reason on failure.
 */
async function runInterfaceCommand(
  command: string,
  cwd: string,
): Promise<{ items: PublicInterface; reason: string }> {
  const r = await runCommand({ command, cwd, timeoutSec: 120 });
  if (r.spawnError) return { items: null, reason: `interface command failed: ${r.spawnError}` };
  if (r.exitCode === 0) return { items: interfaceFromLines(r.stdout), reason: '' };
  const why = r.timedOut ? 'timed out' : `exited ${r.exitCode ?? r.signal}`;
  const msg = r.stderrTail.trim().split('\n')[0] ?? '';
  return { items: null, reason: `interface command ${why} in ${cwd}: ${msg}` };
}

async function interfaceOf(
  config: ModuleConfig,
  dir: string,
): Promise<{ items: PublicInterface; reason: string }> {
  if (config.interfaceCommand) return runInterfaceCommand(config.interfaceCommand, dir);
  const items = extractTsInterface(dir);
  return {
    items,
    reason: items ? '' : 'no package entry point (package.json types/exports/main, index.ts)',
  };
}

export interface AssessCompatibilityInput {
  moduleId: string;
  fromVersion: string;
  toVersion?: string;
  workspace?: string;
}

export async function assessCompatibility(
  store: CheckpointStore,
  input: AssessCompatibilityInput,
  progress: Progress = () => undefined,
): Promise<CompatibilityReport> {
  const moduleId = ModuleId.parse(input.moduleId);
  const state = await store.readModule(moduleId);
  const config = await store.readConfig(moduleId);
  for (const v of [input.fromVersion, input.toVersion]) {
    if (v !== undefined && !state?.versions.some((r) => r.version === v && !r.pruned)) {
      throw failure(CheckpointFailure.notFound, `no checkpoint ${checkpointIdOf(moduleId, v)}`);
    }
  }
  const onlyTs = !config.interfaceCommand;
  const temps: string[] = [];
  /** A checkpointed version's interface: remembered by content when extraction is ours. */
  const keyOf = (version: string) => (onlyTs ? tsContentKey(store, moduleId, version) : null);
  const versionInterface = async (version: string, key: string | null) => {
    const hit = key ? await cachedInterface(store, key) : null;
    if (hit) return { key, ...hit };
    progress(`extracting ${version}`);
    const dir = await store.withLock(() => materialize(store, moduleId, version, onlyTs));
    temps.push(dir);
    const read = await interfaceOf(config, dir);
    if (key) await rememberInterface(store, key, read);
    return { key, ...read };
  };
  try {
    progress('reading public interfaces');
    const from = await versionInterface(input.fromVersion, await keyOf(input.fromVersion));
    let to: { items: PublicInterface; reason: string };
    if (input.toVersion) {
      const toKey = await keyOf(input.toVersion);
      // Same TypeScript files, same interface: nothing to extract.
      to = toKey && toKey === from.key ? from : await versionInterface(input.toVersion, toKey);
    } else {
      to = await interfaceOf(config, resolveWorkspace(input.workspace ?? state!.workspace));
    }
    const diff = diffInterfaces(from.items, to.items, from.reason || to.reason);
    const report: CompatibilityReport = {
      moduleId,
      fromVersion: input.fromVersion,
      toVersion: input.toVersion ?? 'workspace',
      level: diff.level,
      rationale: diff.rationale,
      added: diff.added,
      removed: diff.removed,
      changed: diff.changed,
      approvedBy: null,
    };
    if (input.toVersion) await recordReport(store, report);
    return report;
  } finally {
    for (const dir of temps) await rm(dir, { recursive: true, force: true });
  }
}

/** Keeps one report per transition in the module's state (the lineage's record of it). */
async function recordReport(store: CheckpointStore, report: CompatibilityReport): Promise<void> {
  await store.withLock(async () => {
    const state = await store.readModule(report.moduleId);
    if (!state) return;
    const others = (state.compatibility ?? []).filter(
      (r) => !(r.fromVersion === report.fromVersion && r.toVersion === report.toVersion),
    );
    state.compatibility = [...others, report];
    await store.writeModule(state);
  });
}
