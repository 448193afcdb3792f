import type { Command } from 'commander';
import { runWorker } from '../../workers/main';
import { hostIdOption, settingsFrom, type GlobalOptions } from '../context';

export function registerWorker(program: Command, globals: () => GlobalOptions): void {
  program
    .command('worker')
    .description('run a ratchet worker against the configured Temporal server (no dev server)')
    .option(
      '--host <id>',
      'serve this host: poll its own queue <taskQueue>@<id> beside the shared one (default: setting hostId, else hostname + data dir)',
    )
    .action(async (options: { host?: string }) => {
      // Validated (and the settings checked) before connecting: bad input exits 2.
      const host = options.host ?? globals().host;
      const settings = settingsFrom(globals());
      await runWorker({ hostId: host === undefined ? settings.hostId : hostIdOption(host) });
    });
}
