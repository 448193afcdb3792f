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
  validateCheckpoint,
} from '../../activities/checkpoints';
import type { CheckpointValidation } from '../../domain/checkpointStore';
import { parseDuration } from '../../domain/duration';
import { ModuleId, VersionStatus, type CheckpointRecord } from '../../domain/versions';
import type { GlobalOptions } from '../context';
import { CliError, ExitCode, printJson, println, progress } from '../output';
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
  if (Object.keys(c.metadata).length) lines.push(`Metadata:  ${JSON.stringify(c.metadata)}`);
  return lines.join('\n');
}

const Metadata = z.record(z.string(), z.unknown());

interface CreateOptions {
  workspace?: string;
  module?: string;
  tag: string[];
  parent?: string;
  status?: string;
  metadata?: string;
  exclude: string[];
  json?: boolean;
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
      },
      o.json ? undefined : (step) => progress(step),
    ),
  );
  if (o.json) printJson(cp);
  else
    println(
      `created ${cp.id} (parent ${cp.parentVersion ?? 'none'}, ${cp.status}): ${cp.files} files, +${formatBytes(cp.bytesAdded)}, ${cp.checksum}`,
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
    .option('--json', 'print an array of checkpoint records')
    .action(async (o: { module?: string; json?: boolean }) => {
      const all = await storeCall(() => listCheckpoints(storeFrom(globals()), o.module));
      if (o.json) printJson(all);
      else println(all.length ? all.map(logEntry).join('\n\n') : 'no checkpoints');
    });

  cp.command('show')
    .description('one checkpoint')
    .argument('<id>', '<module>@v<N>')
    .option('--json', 'print the checkpoint record')
    .action(async (id: string, o: { json?: boolean }) => {
      const record = await storeCall(() => storeFrom(globals()).getCheckpoint(id));
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
      const result = await storeCall(() =>
        restoreCheckpoint(
          storeFrom(globals()),
          { checkpointId: id, ...(o.workspace ? { workspace: path.resolve(o.workspace) } : {}) },
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

  cp.command('validate')
    .description(
      'prove checkpoints intact (objects present and uncorrupted, manifest unchanged); exit 1 if any is corrupt',
    )
    .argument('[id]', '<module>@v<N> (default: every checkpoint)')
    .option('--module <id>', 'only this module')
    .option('--json', 'print { ok, checkpoints: [{ checkpointId, ok, problems }] }')
    .action(async (id: string | undefined, o: { module?: string; json?: boolean }) => {
      const store = storeFrom(globals());
      const ids = id
        ? [id]
        : (await storeCall(() => listCheckpoints(store, o.module))).map((c) => c.id);
      const checkpoints: CheckpointValidation[] = [];
      for (const cid of ids)
        checkpoints.push(await storeCall(() => validateCheckpoint(store, cid)));
      const ok = checkpoints.every((c) => c.ok);
      if (o.json) printJson({ ok, checkpoints });
      else {
        for (const c of checkpoints) {
          println(`${c.ok ? 'ok     ' : 'CORRUPT'} ${c.checkpointId}`);
          for (const p of c.problems) println(`        ${p}`);
        }
        if (checkpoints.length === 0) println('no checkpoints');
      }
      process.exitCode = ok ? ExitCode.ok : ExitCode.failed;
    });

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
    .action(async (o: { workspace?: string }) => {
      const ws = await storeCall(() =>
        registerWorkspace(storeFrom(globals()), { workspace: path.resolve(o.workspace ?? '.') }),
      );
      println(`registered ${ws}`);
    });
}
