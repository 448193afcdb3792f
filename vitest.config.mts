import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // One Temporal dev server for the whole run; each test file brings its own worker.
    globalSetup: ['test/globalSetup.ts'],
    setupFiles: ['test/setupRequire.ts'],
    pool: 'forks',
    maxWorkers: 2,
    // Generous: on a loaded 2-core machine a CLI-heavy test can take a minute.
    testTimeout: 180_000,
    hookTimeout: 120_000,
    teardownTimeout: 30_000,
  },
});
