/**
 * The logger of `ratchet dev` / `npm start` on a terminal: the worker's logs
 * (SDK, workflow and activity lines, at the configured level) go to a JSON
 * file under the data dir, and only warnings and errors reach the terminal,
 * so the demo's own progress and tables stay readable. `--verbose` (or not
 * being on a terminal) keeps the one-stream logger of config/logger.ts.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import pino from 'pino';
import pinoPretty from 'pino-pretty';
import { createLogger, type Logger } from './logger';
import type { Settings } from './settings';

export interface DevLogging {
  logger: Logger;
  /** Where the full log goes, when it is split off the terminal. */
  file: string | null;
}

export function devLogFile(settings: Pick<Settings, 'dataDir'>): string {
  return path.join(settings.dataDir, 'logs', 'worker.log');
}

export function createDevLogger(
  settings: Pick<Settings, 'log' | 'dataDir'>,
  options: { verbose?: boolean; isTTY?: boolean } = {},
): DevLogging {
  const isTTY = options.isTTY ?? Boolean(process.stderr.isTTY);
  if (options.verbose || !isTTY)
    return { logger: createLogger(settings, 'ratchet-dev'), file: null };
  const file = devLogFile(settings);
  mkdirSync(path.dirname(file), { recursive: true });
  const level = settings.log.level;
  const logger = pino(
    // The logger passes everything at the configured level; each stream filters its own.
    { name: 'ratchet-dev', level },
    pino.multistream([
      { level, stream: pino.destination({ dest: file, sync: true, append: true, mkdir: true }) },
      {
        level: 'warn',
        stream:
          settings.log.format === 'json'
            ? pino.destination({ dest: 2, sync: true })
            : pinoPretty({ destination: 2, sync: true, ignore: 'pid,hostname' }),
      },
    ]),
  );
  return { logger, file };
}
