import { defineConfig } from 'vitest/config';

// `npm run test:cluster` only: its own server (scripts/cluster/), so no global dev server,
// and never part of `npm test` (the main config includes *.test.ts; this file is *.cluster.ts).
export default defineConfig({
  test: {
    include: ['test/cluster/**/*.cluster.ts'],
    setupFiles: ['test/setupRequire.ts'],
    pool: 'forks',
    maxWorkers: 1,
    testTimeout: 900_000,
    // The first run builds the Temporal server with Go: tens of minutes on a busy 2-core box.
    hookTimeout: 3_600_000,
    teardownTimeout: 120_000,
    reporters: ['verbose'],
  },
});
