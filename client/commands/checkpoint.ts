/**
 * `ratchet checkpoint create|list|show|restore|validate|cleanup|register`:
 * the checkpoint store straight from the data dir, no server needed (like git).
 */
import path from 'node:path';
import type { Command } from 'commander';
import { z } from 'zod';
import {
  cleanupCheckpoints,
  createCheckpoint,
  listCheckpoints,
  registerWorkspace,
  restoreCheckpoint,
} from '../../activities/checkpoints';
import { matchesLaneStep } from '../../domain/checkpointStore';
import { laneFromName } from '../../domain/pipeline/lanes';
import { parseDuration } from '../../domain/duration';
import { parseCheckpointId } from '../../domain/lineage';
import { ModuleId, VersionStatus, type CheckpointRecord } from '../../domain/versions';
import type { GlobalOptions } from '../context';
import { CliError, ExitCode, printJson, println, progress } from '../output';
import { registerCheckpointValidate } from './checkpointValidate';
import { collect, formatBytes, storeCall, storeFrom } from './storeCli';

/** `--module`, else the workspace folder's name (which must then be a valid module id). */
export function moduleFor(workspace: string, module?: string): string {
  const id = module ?? path.basename(path.resolve(workspace));
  const parsed = ModuleId.safeParse(id);
  if (!parsed.success) {
    throw new CliError(
      `"${id}" is not a valid module id (${parsed.error.issues[0]?.message}); pass --module`,
    );
  }
  return parsed.data;
}

function logEntry(c: CheckpointRecord): string {
  const flags = [c.status, ...c.tags.map((t) => `tag: ${t}`)].join(', ');
  const lines = [
    `checkpoint ${c.id} (${flags})`,
    `Parent:    ${c.parentVersion ?? '-'}`,
    `Date:      ${c.timestamp}`,
    `Workspace: ${c.workspace}${c.gitCommit ? `  (git ${c.gitCommit.slice(0, 12)}${c.gitBranch ? ` on ${c.gitBranch}` : ''})` : ''}`,
    `Checksum:  ${c.checksum}`,
    `Files:     ${c.files}  (+${formatBytes(c.bytesAdded)})`,
  ];
  if (typeof c.metadata.lane === 'string' && c.metadata.stepName !== undefined)
    lines.push(
      `Step:      ${c.metadata.lane} step ${String(c.metadata.step)} "${String(c.metadata.stepName)}"${typeof c.metadata.label === 'string' ? `  (${c.metadata.label})` : ''}`,
    );
  if (Object.keys(c.metadata).length) lines.push(`Metadata:  ${JSON.stringify(c.metadata)}`);
  return lines.join('\n');
}

const Metadata = z.record(z.string(), z.unknown());

/** `<module>@v<N>`, or a guide-style label (`standard-step3-20251024_143045`) looked up in metadata. */
async function resolveId(globals: GlobalOptions, id: string): Promise<string> {
  if (parseCheckpointId(id)) return id;
  const all = await storeCall(() => listCheckpoints(storeFrom(globals)));
  const hits = all.filter((c) => c.metadata.label === id);
  if (hits.length === 1) return hits[0]!.id;
  if (hits.length > 1)
    throw new CliError(`${id} names ${hits.map((c) => c.id).join(', ')}: say which`);
  throw new CliError(`no checkpoint ${id} (ids are <module>@v<N> or a lane-step label)`);
}

interface CreateOptions {
  workspace?: string;
  module?: string;
  tag: string[];
  parent?: string;
  status?: string;
  metadata?: string;
  exclude: string[];
  lane?: string;
  stepNumber?: string;
  stepName?: string;
  json?: boolean;
}

/** `--lane L --step-number N --step-name S`: all three or none (the guide's checkpoint call). */
function laneStepOf(o: CreateOptions): { lane: string; number: number; name: string } | undefined {
  const given = [o.lane, o.stepNumber, o.stepName].filter((v) => v !== undefined).length;
  if (given === 0) return undefined;
  if (given !== 3)
    throw new CliError('--lane, --step-number and --step-name go together: give all three');
  const lane = laneFromName(o.lane!);
  if (!lane) throw new CliError('--lane must be one of docs, standard, heavy (or fast)');
  const number = z.coerce.number().int().min(0).max(100_000).safeParse(o.stepNumber);
  if (!/^\d+$/.test(o.stepNumber!) || !number.success)
    throw new CliError('--step-number must be a whole number');
  const name = o.stepName!.trim();
  if (!name || name.length > 200) throw new CliError('--step-name must be 1–200 characters');
  return { lane, number: number.data, name };
}

async function create(globals: GlobalOptions, o: CreateOptions): Promise<number> {
  const workspace = path.resolve(o.workspace ?? '.');
  const moduleId = moduleFor(workspace, o.module);
  const status = o.status === undefined ? undefined : VersionStatus.safeParse(o.status);
  if (status && !status.success)
    throw new CliError(`--status must be one of ${VersionStatus.options.join(', ')}`);
  let metadata: Record<string, unknown> | undefined;
  if (o.metadata !== undefined) {
    const parsed = Metadata.safeParse(
      (() => {
        try {
          return JSON.parse(o.metadata) as unknown;
        } catch {
          return undefined;
        }
      })(),
    );
    if (!parsed.success) throw new CliError('--metadata must be a JSON object');
    metadata = parsed.data;
  }
  const step = laneStepOf(o);
  const store = storeFrom(globals);
  if (o.exclude.length)
    await storeCall(() => store.configureModule(moduleId, { exclude: o.exclude }));
  const cp = await storeCall(() =>
    createCheckpoint(
      store,
      {
        workspace,
        moduleId,
        tags: o.tag,
        ...(o.parent !== undefined ? { parentVersion: o.parent === 'none' ? null : o.parent } : {}),
        ...(status?.success ? { status: status.data } : {}),
        ...(metadata ? { metadata } : {}),
        ...(step ? { step } : {}),
      },
      o.json ? undefined : (step) => progress(step),
    ),
  );
  if (o.json) printJson(cp);
  else
    println(
      `created ${cp.id}${typeof cp.metadata.label === 'string' ? ` (${cp.metadata.label})` : ''} (parent ${cp.parentVersion ?? 'none'}, ${cp.status}): ${cp.files} files, +${formatBytes(cp.bytesAdded)}, ${cp.checksum}`,
    );
  return ExitCode.ok;
}

interface CleanupCliOptions {
  module?: string;
  keep?: string;
  maxAge?: string;
  dryRun?: boolean;
  json?: boolean;
}

async function cleanup(globals: GlobalOptions, o: CleanupCliOptions): Promise<number> {
  const keep = o.keep === undefined ? undefined : z.coerce.number().int().min(0).safeParse(o.keep);
  if (keep && !keep.success) throw new CliError('--keep must be a whole number');
  const maxAgeMs = o.maxAge === undefined ? undefined : parseDuration(o.maxAge);
  if (maxAgeMs === null) throw new CliError('--max-age must be a duration like 90m, 12h, 7d or 2w');
  const result = await storeCall(() =>
    cleanupCheckpoints(storeFrom(globals), {
      ...(o.module ? { moduleId: o.module } : {}),
      ...(keep?.success ? { keep: keep.data } : {}),
      ...(maxAgeMs !== undefined ? { maxAgeMs } : {}),
      dryRun: o.dryRun ?? false,
    }),
  );
  if (o.json) printJson(result);
  else {
    const verb = result.dryRun ? 'would remove' : 'removed';
    println(
      `${verb} ${result.removed.length} checkpoint(s)${result.removed.length ? `: ${result.removed.join(', ')}` : ''}`,
    );
    for (const p of result.protected) println(`kept ${p.checkpointId}: ${p.reason}`);
    if (!result.dryRun)
      println(
        `reclaimed ${formatBytes(result.reclaimedBytes)} (store now ${formatBytes(result.bytesAfter)})`,
      );
  }
  return ExitCode.ok;
}

export function registerCheckpoint(program: Command, globals: () => GlobalOptions): void {
  const cp = program
    .command('checkpoint')
    .description(
      'incremental, verifiable snapshots of a workspace (git object store under the data dir)',
    );

  cp.command('create')
    .description('snapshot a workspace as the next version of its module')
    .option('--workspace <dir>', 'the workspace (default: current directory)')
    .option('--module <id>', "module id (default: the workspace folder's name)")
    .option('--tag <tag>', 'tag the version (repeatable)', collect, [])
    .option(
      '--parent <version>',
      "parent version (default: the module's active version; 'none' for a root)",
    )
    .option('--status <status>', `initial status (${VersionStatus.options.join(', ')})`)
    .option('--metadata <json>', 'free-form JSON object recorded with the checkpoint')
    .option(
      '--exclude <pattern>',
      "gitignore pattern to leave out; saved as the module's exclusions (repeatable)",
      collect,
      [],
    )
    .option('--lane <lane>', 'the lane this checkpoint belongs to: docs (or fast), standard, heavy')
    .option('--step-number <n>', 'the step number (with --lane and --step-name)')
    .option('--step-name <name>', 'the step name, e.g. "Running tests"')
    .option(
      '--json',
      'print { id, moduleId, version, parentVersion, checksum, files, bytesAdded, … }',
    )
    .action(async (o: CreateOptions) => {
      process.exitCode = await create(globals(), o);
    });

  cp.command('list')
    .description('checkpoints, newest first (like git log)')
    .option('--module <id>', 'only this module')
    .option('--lane <lane>', 'only checkpoints taken in this lane')
    .option('--step <step>', 'only checkpoints of this step (its number or its name)')
    .option('--json', 'print an array of checkpoint records')
    .action(async (o: { module?: string; lane?: string; step?: string; json?: boolean }) => {
      const lane = o.lane === undefined ? undefined : laneFromName(o.lane);
      if (o.lane !== undefined && !lane)
        throw new CliError('--lane must be one of docs, standard, heavy (or fast)');
      const all = (await storeCall(() => listCheckpoints(storeFrom(globals()), o.module))).filter(
        (c) => matchesLaneStep(c.metadata, { lane, step: o.step }),
      );
      if (o.json) printJson(all);
      else println(all.length ? all.map(logEntry).join('\n\n') : 'no checkpoints');
    });

  cp.command('show')
    .description('one checkpoint')
    .argument('<id>', '<module>@v<N>')
    .option('--json', 'print the checkpoint record')
    .action(async (id: string, o: { json?: boolean }) => {
      const cid = await resolveId(globals(), id);
      const record = await storeCall(() => storeFrom(globals()).getCheckpoint(cid));
      if (o.json) printJson(record);
      else println(logEntry(record));
    });

  cp.command('restore')
    .description(
      'make the workspace equal to a checkpoint (validated first; exit 1 and nothing touched if corrupt)',
    )
    .argument('<id>', '<module>@v<N>')
    .option('--workspace <dir>', 'restore here instead (must be a registered workspace)')
    .option(
      '--json',
      'print { checkpointId, workspace, checksum, filesWritten, filesRemoved, matches }',
    )
    .action(async (id: string, o: { workspace?: string; json?: boolean }) => {
      const cid = await resolveId(globals(), id);
      const result = await storeCall(() =>
        restoreCheckpoint(
          storeFrom(globals()),
          { checkpointId: cid, ...(o.workspace ? { workspace: path.resolve(o.workspace) } : {}) },
          o.json ? undefined : (step) => progress(step),
        ),
      );
      if (o.json) printJson(result);
      else
        println(
          `restored ${result.checkpointId} into ${result.workspace}: ${result.filesWritten} written, ${result.filesRemoved} removed` +
            (result.matches ? '' : ` — but the workspace checksum is ${result.checksum}`),
        );
      process.exitCode = result.matches ? ExitCode.ok : ExitCode.failed;
    });

  registerCheckpointValidate(cp, globals, resolveId);

  cp.command('cleanup')
    .description(
      'remove checkpoints past retention (never stable, the active version or its ancestors back to stable), then reclaim space',
    )
    .option('--module <id>', 'only this module')
    .option(
      '--keep <n>',
      "keep at most N checkpoints per module (default: the module's maxCheckpoints, 50)",
    )
    .option(
      '--max-age <duration>',
      "remove checkpoints older than this, e.g. 7d (default: the module's, 7d)",
    )
    .option('--dry-run', 'only say what would be removed')
    .option(
      '--json',
      'print { dryRun, removed, protected, bytesBefore, bytesAfter, reclaimedBytes }',
    )
    .action(async (o: CleanupCliOptions) => {
      process.exitCode = await cleanup(globals(), o);
    });

  cp.command('register')
    .description('allow restores into a directory that no checkpoint was taken from')
    .option('--workspace <dir>', 'the directory (default: current directory)')
    .option('--json', 'print the acknowledgement as one JSON object')
    .action(async (o: { workspace?: string; json?: boolean }) => {
      const ws = await storeCall(() =>
        registerWorkspace(storeFrom(globals()), { workspace: path.resolve(o.workspace ?? '.') }),
      );
      if (o.json) printJson({ workspace: ws, registered: true });
      else println(`registered ${ws}`);
    });
}
