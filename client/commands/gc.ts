/** `ratchet gc [--dry-run] [--json]`: remove what no live workflow owns (the janitor, once). */
import type { Command } from 'commander';
import { ZodError } from 'zod';
import type { JanitorReport } from '../../domain/janitor';
import { clientFrom, settingsFrom, type GlobalOptions } from '../context';
import { runJanitor } from '../janitor';
import { CliError, ExitCode, printJson, println, progress, table } from '../output';

interface GcOptions {
  dryRun?: boolean;
  json?: boolean;
  minAge?: string;
}

function print(report: JanitorReport): void {
  if (report.orphans.length === 0) {
    println('nothing to collect: everything is owned by a live workflow or an active entry');
    return;
  }
  println(
    table(
      ['KIND', 'ID', 'WHY', 'RESOURCES'],
      report.orphans.map((o) => [o.kind, o.id, o.reason, o.resources.join(', ')]),
    ),
  );
  if (report.dryRun) {
    println('\ndry run: nothing removed');
    return;
  }
  println('');
  println(
    table(
      ['REMOVAL', 'RESOURCE', 'STATUS', 'ATTEMPTS', 'ERROR'],
      report.cleaned.map((c) => [c.actionType, c.resourceId, c.status, c.attempts, c.error ?? '']),
    ),
  );
  println(`\n${report.status}`);
}

export function registerGc(program: Command, globals: () => GlobalOptions): void {
  program
    .command('gc')
    .description('find and remove what no live workflow owns (left behind by Terminate)')
    .option('--dry-run', 'only report what would be removed')
    .option('--json', 'print the report as one JSON object')
    .option('--min-age <ms>', 'leave alone what is younger than this', '60000')
    .action(async (options: GcOptions) => {
      const settings = settingsFrom(globals());
      const minAgeMs = Number(options.minAge);
      let report: JanitorReport;
      try {
        const input = { dryRun: options.dryRun === true, minAgeMs };
        const client = await clientFrom(settings);
        if (!options.json) progress(options.dryRun ? 'scanning…' : 'collecting…');
        report = await runJanitor(client, settings.taskQueue, input);
      } catch (err) {
        if (err instanceof ZodError) {
          throw new CliError(
            err.issues.map((i) => `--min-age: ${i.message} (${i.path.join('.')})`).join('\n'),
          );
        }
        throw err;
      }
      if (options.json) printJson(report);
      else print(report);
      process.exitCode =
        report.status === 'compensation_incomplete' ? ExitCode.failed : ExitCode.ok;
    });
}
