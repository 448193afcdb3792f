/**
 * `ratchet serve MODULE --workspace DIR`: run a module's service under
 * ratchet without a cycle; `serve status|swap|stop MODULE`.
 */
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError } from '@temporalio/client';
import type { Command } from 'commander';
import {
  serviceOf,
  ServiceSettingsError,
  type ServiceFields,
} from '../../domain/services/settings';
import { ModuleId } from '../../domain/versions';
import { clientFrom, settingsFrom, type GlobalOptions } from '../context';
import { CliError, ExitCode, printJson, println, table } from '../output';
import { serveStatus, startServe, stopServe, swapServe } from '../services';
import { storeCall, storeFrom } from './storeCli';

function moduleArg(id: string): string {
  const parsed = ModuleId.safeParse(id);
  if (!parsed.success) throw new CliError(`"${id}" is not a valid module id`);
  return parsed.data;
}

function notServed(moduleId: string, err: unknown): never {
  if (err instanceof WorkflowNotFoundError || (err as Error).name === 'WorkflowNotFoundError')
    throw new CliError(
      `module ${moduleId} is not being served (start it with ratchet serve ${moduleId} --workspace DIR)`,
      ExitCode.failed,
    );
  throw err;
}

export function registerServe(program: Command, globals: () => GlobalOptions): void {
  const serve = program
    .command('serve')
    .description("run a module's service under ratchet (supervised, health-probed, hot-swapped)")
    .argument('[module]')
    .option(
      '--workspace <dir>',
      "the module's workspace (served when the module has no version yet)",
    )
    .option('--json', 'print { workflowId, runId, moduleId }')
    .action(async (moduleId: string | undefined, o: { workspace?: string; json?: boolean }) => {
      if (moduleId === undefined)
        throw new CliError('give a module: ratchet serve MODULE --workspace DIR');
      const id = moduleArg(moduleId);
      if (!o.workspace) throw new CliError('--workspace is required');
      const workspace = path.resolve(o.workspace);
      if (!existsSync(workspace) || !statSync(workspace).isDirectory())
        throw new CliError(`--workspace: ${workspace} is not a directory`);
      const config = await storeCall(() => storeFrom(globals()).readConfig(id));
      const service: ServiceFields = {
        ...(config.serve !== undefined ? { serve: config.serve } : {}),
        ...(config.health !== undefined ? { health: config.health } : {}),
        ...(config.healthWindowSec !== undefined
          ? { healthWindowSec: config.healthWindowSec }
          : {}),
        ...(config.healthIntervalSec !== undefined
          ? { healthIntervalSec: config.healthIntervalSec }
          : {}),
        ...(config.healthFailureThreshold !== undefined
          ? { healthFailureThreshold: config.healthFailureThreshold }
          : {}),
      };
      try {
        if (!serviceOf(service))
          throw new CliError(
            `module ${id} has no service: set one with ratchet versions config ${id} --serve CMD [--health URL|CMD]`,
          );
      } catch (err) {
        if (err instanceof ServiceSettingsError) throw new CliError(`module ${id}: ${err.message}`);
        throw err;
      }
      const settings = settingsFrom(globals());
      const client = await clientFrom(settings);
      try {
        const started = await startServe(client, settings.taskQueue, {
          moduleId: id,
          workspace,
          service,
        });
        if (o.json) printJson({ ...started, moduleId: id });
        else println(`serving ${id}: workflow ${started.workflowId} (ratchet serve status ${id})`);
      } catch (err) {
        if (err instanceof WorkflowExecutionAlreadyStartedError)
          throw new CliError(`module ${id} is already being served`, ExitCode.failed);
        throw err;
      }
    });

  serve
    .command('status')
    .description(
      'version, state, pid, uptime, restarts and the last probe results (after a stop: the last version served)',
    )
    .argument('<module>')
    .option('--json', 'print the status object')
    .action(async (moduleId: string, o: { json?: boolean }) => {
      const id = moduleArg(moduleId);
      const client = await clientFrom(settingsFrom(globals()));
      const status = await serveStatus(client, id).catch((err: unknown) => notServed(id, err));
      if (o.json) return printJson(status);
      println(
        [
          `module:   ${status.moduleId}`,
          `version:  ${status.version ?? '-'}${status.swapping ? ` (swapping to ${status.swapping})` : ''}`,
          `state:    ${status.state}${status.stoppedAt ? ` at ${status.stoppedAt}` : ''}${status.workflowStatus === 'RUNNING' ? '' : ` (workflow ${status.workflowStatus.toLowerCase()})`}`,
          `pid:      ${status.pid ?? '-'}`,
          `port:     ${status.port ?? 'fixed (in the serve command)'}`,
          `uptime:   ${status.uptimeSec === null ? '-' : `${status.uptimeSec}s`}`,
          `restarts: ${status.restarts}`,
        ].join('\n'),
      );
      if (status.lastProbes.length)
        println(
          table(
            ['AT', 'OK', 'DETAIL', 'MS'],
            status.lastProbes.map((p) => [p.at, p.ok ? 'yes' : 'NO', p.detail, p.durationMs]),
          ),
        );
    });

  serve
    .command('swap')
    .description('hot-swap the running service to a version (reverted on a failed health window)')
    .argument('<module>')
    .argument('<version>')
    .option('--json', 'print the swap result')
    .action(async (moduleId: string, version: string, o: { json?: boolean }) => {
      const id = moduleArg(moduleId);
      if (!/^v[1-9][0-9]*$/.test(version)) throw new CliError(`"${version}" is not a version (vN)`);
      const client = await clientFrom(settingsFrom(globals()));
      const result = await swapServe(client, id, version).catch((err: unknown) =>
        notServed(id, err),
      );
      if (o.json) printJson(result);
      else for (const e of result.events) println(`${e.at} ${e.type} ${JSON.stringify(e.data)}`);
      process.exitCode = result.outcome === 'committed' ? ExitCode.ok : ExitCode.failed;
    });

  serve
    .command('stop')
    .description('stop the service and its workflow')
    .argument('<module>')
    .option('--json', 'print { stopped }')
    .action(async (moduleId: string, o: { json?: boolean }) => {
      const id = moduleArg(moduleId);
      const client = await clientFrom(settingsFrom(globals()));
      const result = await stopServe(client, id).catch((err: unknown) => notServed(id, err));
      if (o.json) printJson(result);
      else println(`stopped ${id}${result.stopped ? ` (${result.stopped})` : ''}`);
    });
}
