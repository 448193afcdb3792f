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
import { REVERT_REASONS } from '../../domain/metrics';
import { renderLineageText, rollbackTarget } from '../../domain/lineage';
import { lineageGraphDot } from '../../domain/lineageGraph';
import { dotToSvg } from '../lineageSvg';
import { ModuleId, VersionStatus } from '../../domain/versions';
import { settingsProblem } from '../../domain/services/breakingPolicy';
import { ServiceFields, serviceOf, ServiceSettingsError } from '../../domain/services/settings';
import { reasonFromText } from '../../domain/services/revertReason';
import { rollbackVersion, runningCycles, versionStats } from '../services';
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
  /** false: `--no-serve` (the module has no service any more). */
  serve?: string | false;
  health?: string;
  healthWindowSec?: string;
  healthIntervalSec?: string;
  healthFailureThreshold?: string;
  json?: boolean;
}

/** The service flags as the module config's keys, each checked by the same schema as the config file. */
function servicePatch(o: ConfigOptions): Partial<ModuleConfig> {
  const patch: Partial<ModuleConfig> = {};
  if (o.serve === false) {
    for (const key of [
      'serve',
      'health',
      'healthWindowSec',
      'healthIntervalSec',
      'healthFailureThreshold',
    ] as const)
      patch[key] = undefined;
    return patch;
  }
  if (o.serve !== undefined) patch.serve = o.serve;
  if (o.health !== undefined) patch.health = o.health;
  const numbers = [
    ['healthWindowSec', o.healthWindowSec, '--health-window-sec'],
    ['healthIntervalSec', o.healthIntervalSec, '--health-interval-sec'],
    ['healthFailureThreshold', o.healthFailureThreshold, '--health-failure-threshold'],
  ] as const;
  for (const [key, raw, flag] of numbers) {
    if (raw === undefined) continue;
    const n = Number(raw);
    if (raw.trim() === '' || !Number.isFinite(n)) throw new CliError(`${flag}: give a number`);
    const parsed = ServiceFields.shape[key].safeParse(n);
    if (!parsed.success) throw new CliError(`${flag}: ${parsed.error.issues[0]?.message}`);
    patch[key] = parsed.data;
  }
  const parsed = ServiceFields.safeParse({ serve: patch.serve, health: patch.health });
  if (!parsed.success)
    throw new CliError(
      `--${String(parsed.error.issues[0]?.path[0])}: ${parsed.error.issues[0]?.message}`,
    );
  return patch;
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
  Object.assign(patch, servicePatch(o));
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
    .option(
      '--require-approval',
      'BREAKING versions wait for a human (with --auto-rollback-on-breaking: reverted on rejection or timeout)',
    )
    .option('--reject-breaking', 'reject BREAKING changes')
    .option('--auto-rollback-on-breaking', 'roll back automatically on BREAKING changes')
    .option('--serve <cmd>', 'service: shell command that runs the module as a long-lived process')
    .option(
      '--health <url|cmd>',
      'service: http(s) URL that must answer 2xx ({port} = the port ratchet gives each copy), or a command that must exit 0',
    )
    .option('--no-serve', 'service: remove the service settings')
    .option(
      '--health-window-sec <n>',
      'service: probe a new version this long before committing it',
    )
    .option('--health-interval-sec <n>', 'service: seconds between probes')
    .option('--health-failure-threshold <n>', 'service: failed probes in the window that revert')
    .option('--json', 'print the module config')
    .action(async (moduleId: string, o: ConfigOptions) => {
      const store = storeFrom(globals());
      const patch = configPatch(o);
      const id = moduleArg(moduleId);
      // Settings that cannot be honoured together are refused before anything is written.
      const current = await storeCall(() => store.readConfig(id));
      const next = { ...current, ...patch };
      const problem = settingsProblem(next);
      if (problem) throw new CliError(problem);
      try {
        serviceOf(next);
      } catch (err) {
        if (err instanceof ServiceSettingsError) throw new CliError(err.message);
        throw err;
      }
      const config = await storeCall(() =>
        Object.keys(patch).length ? store.configureModule(id, patch) : store.readConfig(id),
      );
      if (o.json) printJson(config);
      else for (const [k, v] of Object.entries(config)) println(`${k}: ${JSON.stringify(v)}`);
    });

  versions
    .command('rollback')
    .description(
      'roll a module back outside a cycle: restore, verify (checksum, smoke), cascade, recover; the version becomes reverted',
    )
    .argument('<module>')
    .option('--to <version>', 'this version (default: the nearest safe ancestor of the active one)')
    .option(
      '--reason <text>',
      `why (required); starting it with a reason code (${REVERT_REASONS.join(', ')}) records that code, else MANUAL`,
    )
    .option('--smoke <cmd>', 'command that must pass in the restored workspace')
    .option('--json', 'print the rollback result')
    .action(
      async (
        moduleId: string,
        o: { to?: string; reason?: string; smoke?: string; json?: boolean },
      ) => {
        const id = moduleArg(moduleId);
        if (o.reason === undefined || !o.reason.trim()) throw new CliError('--reason is required');
        if (o.to !== undefined && !/^v[1-9][0-9]*$/.test(o.to))
          throw new CliError(`--to: "${o.to}" is not a version (vN)`);
        if (o.smoke !== undefined && !o.smoke.trim()) throw new CliError('--smoke: give a command');
        const state = await storeCall(() => storeFrom(globals()).readModule(id));
        if (!state) throw new CliError(`module ${id} has no versions`);
        const settings = settingsFrom(globals());
        const client = await clientFrom(settings);
        const cycles = await runningCycles(client, id);
        if (cycles.length)
          throw new CliError(
            `a cycle runs on ${id} (${cycles.join(', ')}): use ratchet evolve rollback there`,
            ExitCode.failed,
          );
        const { reason, detail } = reasonFromText(o.reason);
        const result = await rollbackVersion(client, settings.taskQueue, {
          moduleId: id,
          workspace: state.workspace,
          ...(o.to ? { to: o.to } : {}),
          reason,
          detail,
          ...(o.smoke ? { smokeCommand: o.smoke } : {}),
        }).catch((err: unknown) => {
          const cause = (err as { cause?: { type?: string; message?: string } }).cause;
          if (cause?.type === 'InvalidRollback') throw new CliError(cause.message ?? 'refused');
          throw err;
        });
        if (o.json) printJson(result);
        else {
          println(result.note);
          for (const e of result.events) println(`${e.at} ${e.type} ${JSON.stringify(e.data)}`);
          println(
            result.ok
              ? `${id}: ${result.reverted} reverted (${reason}), ${result.restoredTo} active`
              : `${id}: rollback failed; the module needs attention`,
          );
        }
        process.exitCode = result.ok ? ExitCode.ok : ExitCode.failed;
      },
    );

  versions
    .command('stats')
    .description(
      'tracked modules, checkpoints, compatibility records, pending approvals (all cycles), rollbacks by reason',
    )
    .option('--json', 'print the stats object')
    .action(async (o: { json?: boolean }) => {
      const settings = settingsFrom(globals());
      const stats = await storeCall(() =>
        versionStats(storeFrom(globals()), () => clientFrom(settings)),
      );
      if (o.json) return printJson(stats);
      println(
        [
          `modules:                ${stats.modules}`,
          `versions:               ${stats.versions}`,
          `checkpoints:            ${stats.checkpoints}`,
          `compatibility records:  ${stats.compatibilityRecords}`,
          `pending approvals:      ${stats.pendingApprovals ?? `unknown (${stats.serverError})`}`,
          'rollbacks by reason:',
          ...Object.entries(stats.rollbacksByReason).map(([r, n]) => `  ${r.padEnd(22)}${n}`),
        ].join('\n'),
      );
    });
}
