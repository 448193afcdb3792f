/**
 * `ratchet versions lineage|target|tag|status|compat|config`: a module's
 * version lineage, read and updated straight from the data dir.
 */
import { existsSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { z } from 'zod';
import {
  assessCompatibility,
  getLineage,
  setVersionStatus,
  tagVersion,
  type ModuleConfig,
} from '../../activities/checkpoints';
import { parseDuration } from '../../domain/duration';
import { renderLineageText, rollbackTarget } from '../../domain/lineage';
import { lineageGraphDot } from '../../domain/lineageGraph';
import { dotToSvg } from '../lineageSvg';
import { ModuleId, VersionStatus } from '../../domain/versions';
import { clientFrom, settingsFrom, type GlobalOptions } from '../context';
import { pendingApprovals } from '../pendingApprovals';
import { CliError, ExitCode, printJson, println, table } from '../output';
import { collect, storeCall, storeFrom } from './storeCli';
import { registerVersionsShow } from './versionsShow';

function moduleArg(id: string): string {
  const parsed = ModuleId.safeParse(id);
  if (!parsed.success) throw new CliError(`"${id}" is not a valid module id`);
  return parsed.data;
}

async function lineageOf(globals: GlobalOptions, moduleId: string) {
  const lineage = await storeCall(() => getLineage(storeFrom(globals), moduleArg(moduleId)));
  if (lineage.length === 0) throw new CliError(`module ${moduleId} has no versions`);
  return lineage;
}

interface ConfigOptions {
  exclude: string[];
  interfaceCommand?: string;
  maxCheckpoints?: string;
  maxAge?: string;
  requireApproval?: boolean;
  rejectBreaking?: boolean;
  autoRollbackOnBreaking?: boolean;
  json?: boolean;
}

function configPatch(o: ConfigOptions): Partial<ModuleConfig> {
  const patch: Partial<ModuleConfig> = {};
  if (o.exclude.length) patch.exclude = o.exclude;
  if (o.interfaceCommand !== undefined) patch.interfaceCommand = o.interfaceCommand;
  if (o.maxCheckpoints !== undefined) {
    const n = z.coerce.number().int().min(1).safeParse(o.maxCheckpoints);
    if (!n.success) throw new CliError('--max-checkpoints must be a whole number ≥ 1');
    patch.maxCheckpoints = n.data;
  }
  if (o.maxAge !== undefined) {
    const ms = parseDuration(o.maxAge);
    if (ms === null) throw new CliError('--max-age must be a duration like 12h or 7d');
    patch.maxAgeMs = ms;
  }
  if (o.requireApproval !== undefined) patch.requireApproval = o.requireApproval;
  if (o.rejectBreaking !== undefined) patch.rejectBreaking = o.rejectBreaking;
  if (o.autoRollbackOnBreaking !== undefined)
    patch.autoRollbackOnBreaking = o.autoRollbackOnBreaking;
  return patch;
}

export function registerVersions(program: Command, globals: () => GlobalOptions): void {
  const versions = program
    .command('versions')
    .description('version lineage: statuses, tags, rollback targets, compatibility');
  registerVersionsShow(versions, globals);
  versions
    .command('pending')
    .description(
      'every candidate waiting for approval, across all running cycles and modules (needs the server)',
    )
    .option('--module <id>', 'only this module')
    .option('--json', 'print { pending: [{ workflowId, moduleId, version, … }], unreadable }')
    .action(async (o: { module?: string; json?: boolean }) => {
      const moduleId = o.module === undefined ? undefined : moduleArg(o.module);
      const settings = settingsFrom(globals());
      const result = await pendingApprovals(await clientFrom(settings), {
        ...(moduleId ? { moduleId } : {}),
      });
      if (o.json) printJson(result);
      else {
        println(
          result.pending.length
            ? table(
                ['CYCLE', 'MODULE', 'VERSION', 'ITERATION', 'KIND', 'COMPAT', 'DEADLINE', 'REASON'],
                result.pending.map((p) => [
                  p.workflowId,
                  p.moduleId,
                  p.version,
                  p.iteration,
                  p.kind,
                  p.compatibility ?? '-',
                  p.deadline,
                  p.reason,
                ]),
              )
            : 'no candidates waiting for approval',
        );
        for (const u of result.unreadable) println(`could not read ${u.workflowId}: ${u.error}`);
      }
      process.exitCode = ExitCode.ok;
    });

  versions
    .command('lineage')
    .description(
      "a module's versions, newest first (like git log); --dot / --svg FILE draw the tree",
    )
    .argument('<module>')
    .option('--json', 'print an array of version records')
    .option(
      '--dot',
      'print a Graphviz digraph (statuses coloured, rollbacks dashed red, active bold, stable double-bordered)',
    )
    .option('--svg <file>', 'write the same graph as an SVG picture (no Graphviz install needed)')
    .action(async (moduleId: string, o: { json?: boolean; dot?: boolean; svg?: string }) => {
      if (o.svg !== undefined && !o.svg.trim()) throw new CliError('--svg: give a file name');
      const lineage = await lineageOf(globals(), moduleId);
      if (o.svg) {
        const file = path.resolve(o.svg);
        if (!existsSync(path.dirname(file)))
          throw new CliError(`--svg: no directory ${path.dirname(file)}`);
        if (existsSync(file) && statSync(file).isDirectory())
          throw new CliError(`--svg: ${file} is a directory`);
        writeFileSync(file, await dotToSvg(lineageGraphDot(moduleId, lineage)));
        if (o.json) printJson({ svg: file, versions: lineage.length });
        else println(`wrote ${file} (${lineage.length} versions)`);
      } else if (o.json) printJson(lineage);
      else if (o.dot) println(lineageGraphDot(moduleId, lineage));
      else println(renderLineageText(lineage));
    });

  versions
    .command('target')
    .description('the nearest safe version to roll back to (exit 1 when there is none)')
    .argument('<module>')
    .option('--tag <tag>', 'only versions carrying this tag, e.g. stable')
    .option('--from <version>', 'walk back from this version (default: the active one)')
    .option('--exclude <version>', 'skip this version (repeatable)', collect, [])
    .option('--json', 'print { moduleId, target } (target null when none)')
    .action(
      async (
        moduleId: string,
        o: { tag?: string; from?: string; exclude: string[]; json?: boolean },
      ) => {
        const lineage = await lineageOf(globals(), moduleId);
        const target = rollbackTarget(lineage, {
          ...(o.tag ? { tag: o.tag } : {}),
          ...(o.from ? { from: o.from } : {}),
          exclude: o.exclude,
        });
        if (o.json) printJson({ moduleId, target });
        else
          println(
            target
              ? `${target.checkpointId} (${target.status}${target.tags.length ? `, ${target.tags.join(', ')}` : ''})`
              : 'no safe rollback target',
          );
        process.exitCode = target ? ExitCode.ok : ExitCode.failed;
      },
    );

  versions
    .command('tag')
    .description('tag a version (e.g. stable)')
    .argument('<module>')
    .argument('<version>')
    .argument('<tag>')
    .option('--remove', 'remove the tag instead')
    .option('--json', 'print the version record')
    .action(
      async (
        moduleId: string,
        version: string,
        tag: string,
        o: { remove?: boolean; json?: boolean },
      ) => {
        const record = await storeCall(() =>
          tagVersion(storeFrom(globals()), {
            moduleId: moduleArg(moduleId),
            version,
            tag,
            remove: o.remove ?? false,
          }),
        );
        if (o.json) printJson(record);
        else println(`${record.checkpointId}: tags ${record.tags.join(', ') || '(none)'}`);
      },
    );

  versions
    .command('status')
    .description(
      `set a version's status (${VersionStatus.options.join(', ')}); active demotes the previous active`,
    )
    .argument('<module>')
    .argument('<version>')
    .argument('<status>')
    .option('--json', 'print the version record')
    .action(async (moduleId: string, version: string, status: string, o: { json?: boolean }) => {
      const parsed = VersionStatus.safeParse(status);
      if (!parsed.success)
        throw new CliError(`status must be one of ${VersionStatus.options.join(', ')}`);
      const record = await storeCall(() =>
        setVersionStatus(storeFrom(globals()), {
          moduleId: moduleArg(moduleId),
          version,
          status: parsed.data,
        }),
      );
      if (o.json) printJson(record);
      else println(`${record.checkpointId}: ${record.status}`);
    });

  versions
    .command('compat')
    .description(
      'compare the public interface of two versions (or a version and the workspace now)',
    )
    .argument('<module>')
    .argument('<from>')
    .argument('[to]', 'a version (default: the workspace as it is now)')
    .option('--workspace <dir>', "with no <to>: this directory instead of the module's workspace")
    .option('--json', 'print the compatibility report')
    .action(
      async (
        moduleId: string,
        from: string,
        to: string | undefined,
        o: { workspace?: string; json?: boolean },
      ) => {
        const report = await storeCall(() =>
          assessCompatibility(storeFrom(globals()), {
            moduleId: moduleArg(moduleId),
            fromVersion: from,
            ...(to ? { toVersion: to } : {}),
            ...(o.workspace ? { workspace: path.resolve(o.workspace) } : {}),
          }),
        );
        if (o.json) printJson(report);
        else
          println(
            [
              `${report.fromVersion} → ${report.toVersion}: ${report.level}`,
              ...report.rationale.map((r) => `  ${r}`),
            ].join('\n'),
          );
      },
    );

  versions
    .command('config')
    .description(
      "show or change a module's settings (exclusions, interface command, VersionManagerConfig, retention)",
    )
    .argument('<module>')
    .option(
      '--exclude <pattern>',
      'gitignore pattern left out of checkpoints (repeatable; replaces the list)',
      collect,
      [],
    )
    .option(
      '--interface-command <cmd>',
      'shell command printing the public interface, one item per line',
    )
    .option('--max-checkpoints <n>', 'retention: keep at most N checkpoints')
    .option('--max-age <duration>', 'retention: remove checkpoints older than this, e.g. 7d')
    .option('--require-approval', 'new versions wait for approval')
    .option('--reject-breaking', 'reject BREAKING changes')
    .option('--auto-rollback-on-breaking', 'roll back automatically on BREAKING changes')
    .option('--json', 'print the module config')
    .action(async (moduleId: string, o: ConfigOptions) => {
      const store = storeFrom(globals());
      const patch = configPatch(o);
      const id = moduleArg(moduleId);
      const config = await storeCall(() =>
        Object.keys(patch).length ? store.configureModule(id, patch) : store.readConfig(id),
      );
      if (o.json) printJson(config);
      else for (const [k, v] of Object.entries(config)) println(`${k}: ${JSON.stringify(v)}`);
    });
}
