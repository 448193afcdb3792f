import type { Command } from 'commander';
import { runWorker } from '../../workers/main';

export function registerWorker(program: Command): void {
  program
    .command('worker')
    .description('run a ratchet worker against the configured Temporal server (no dev server)')
    .action(async () => {
      await runWorker();
    });
}
