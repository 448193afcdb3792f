/** One pino logger for the process: JSON for machines, pretty on a terminal. */
import pino, { type Logger } from 'pino';
import pinoPretty from 'pino-pretty';
import type { Settings } from './settings';

export type { Logger };

export function createLogger(settings: Pick<Settings, 'log'>, name = 'ratchet'): Logger {
  const pretty = settings.log.format
    ? settings.log.format === 'pretty'
    : Boolean(process.stderr.isTTY);
  const options: pino.LoggerOptions = { name, level: settings.log.level };
  if (pretty) {
    // Sync pretty stream on stderr so CLI output on stdout stays machine-readable.
    return pino(options, pinoPretty({ destination: 2, sync: true, ignore: 'pid,hostname' }));
  }
  return pino(options, pino.destination({ dest: 2, sync: true }));
}
