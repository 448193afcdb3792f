/**
 * `npm run temporal:cli`: find or build the Temporal CLI now (with progress),
 * so the first `npm start` or `npm test` does not wait for it. Prints its path.
 */
import { homedir } from 'node:os';
import path from 'node:path';
import { resolveTemporalCli } from '../server/temporalCli';

resolveTemporalCli({
  cacheDir: process.env.RATCHET_CACHE_DIR ?? path.join(homedir(), '.cache', 'ratchet'),
  onProgress: (line) => console.error(line),
})
  .then((cli) => console.log(`${cli.path} (${cli.source})`))
  .catch((err: unknown) => {
    console.error((err as Error).message);
    process.exit(1);
  });
