/** Logs one line per level through the dev logger, as `ratchet dev` on a terminal would (test helper). */
import { createDevLogger } from '../../config/loggingDev';

const { logger, file } = createDevLogger(
  { dataDir: process.env.RATCHET_DATA_DIR!, log: { level: 'info', format: 'json' } },
  { isTTY: true, verbose: process.env.VERBOSE === '1' },
);
logger.info({ taskToken: 'abc' }, 'activity completed');
logger.warn('compensation attempt failed');
logger.error('worker crashed');
process.stdout.write(`${JSON.stringify({ file })}\n`);
