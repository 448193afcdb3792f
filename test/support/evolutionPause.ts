/**
 * Fault injection for SIGKILL tests, as a worker interceptor (never a switch
 * in product inputs): RATCHET_TEST_PAUSE_AT names activity types, and
 * RATCHET_TEST_PAUSE_DIR a directory for markers. The first time any worker
 * runs one of them, it writes `<dir>/<activityType>` and holds the activity
 * for a few seconds — long enough for the test to kill the worker there.
 * Later runs (after the marker exists) pass straight through.
 */
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { WorkerOptions } from '@temporalio/worker';

const HOLD_MS = 8_000;

export function pauseInterceptorsFromEnv(): WorkerOptions['interceptors'] | undefined {
  const names = process.env.RATCHET_TEST_PAUSE_AT?.split(',').filter(Boolean) ?? [];
  const dir = process.env.RATCHET_TEST_PAUSE_DIR;
  if (!names.length || !dir) return undefined;
  return {
    activity: [
      (ctx) => ({
        inbound: {
          async execute(input, next) {
            const type = ctx.info.activityType;
            const marker = path.join(dir, type);
            if (names.includes(type) && !existsSync(marker)) {
              writeFileSync(marker, String(process.pid));
              await new Promise((resolve) => setTimeout(resolve, HOLD_MS));
            }
            return next(input);
          },
        },
      }),
    ],
  };
}
