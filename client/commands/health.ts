/** `ratchet health check|release` (and `ratchet ping`): a real round trip through a worker. */
import type { Command } from 'commander';
import { z } from 'zod';
import { workflowUiUrl } from '../../config/settings';
import { clientFrom, settingsFrom, type GlobalOptions } from '../context';
import { releaseHealthCheck, startHealthCheck } from '../health';
import { CliError, ExitCode, printJson, println, progress } from '../output';

const HoldSeconds = z.coerce.number().int().min(0).max(86_400);

interface CheckOptions {
  hold?: string;
  wait: boolean;
  json?: boolean;
}

async function check(globals: GlobalOptions, options: CheckOptions): Promise<number> {
  const hold = HoldSeconds.safeParse(options.hold ?? 0);
  if (!hold.success) throw new CliError('--hold must be a whole number of seconds (0–86400)');
  const settings = settingsFrom(globals);
  const client = await clientFrom(settings);
  const handle = await startHealthCheck(client, settings.taskQueue, { holdSeconds: hold.data });
  const url = workflowUiUrl(settings, handle.workflowId);
  if (!options.json) progress(`Started ${handle.workflowId}: ${url}`);
  if (hold.data > 0 && !options.json) {
    progress(
      `Holding up to ${hold.data}s; release it with: ratchet health release ${handle.workflowId}`,
    );
  }
  if (!options.wait) {
    if (options.json) printJson({ workflowId: handle.workflowId, url });
    return ExitCode.ok;
  }
  const result = await handle.result();
  if (options.json) printJson({ workflowId: handle.workflowId, url, ...result });
  else
    println(
      `ok: worker ${result.worker.hostname} (pid ${result.worker.pid}) on "${result.worker.taskQueue}"` +
        (result.released ? `, released by ${result.releasedBy}` : ''),
    );
  return ExitCode.ok;
}

export function registerHealth(program: Command, globals: () => GlobalOptions): void {
  const health = program.command('health').description('round trips through a worker');
  const addCheck = (cmd: Command) =>
    cmd
      .option(
        '--hold <seconds>',
        'keep the run open until `ratchet health release` (or the time is up)',
      )
      .option('--no-wait', 'print the workflow id and return at once')
      .option('--json', 'print one JSON object')
      .action(async (options: CheckOptions) => {
        process.exitCode = await check(globals(), options);
      });
  addCheck(
    health.command('check').description('start a health-check workflow and wait for its result'),
  );
  addCheck(program.command('ping').description('same as `ratchet health check`'));
  health
    .command('release')
    .description('signal a held health check to finish')
    .argument('<workflowId>')
    .option('--by <name>', 'who released it', process.env.USER)
    .option('--json', 'print the acknowledgement as one JSON object')
    .action(async (workflowId: string, options: { by?: string; json?: boolean }) => {
      const client = await clientFrom(settingsFrom(globals()));
      await releaseHealthCheck(client, workflowId, options.by);
      if (options.json) printJson({ workflowId, released: true, by: options.by ?? null });
      else println(`released ${workflowId}`);
    });
}
