/**
 * `npm run bench -- load`: 200 concurrent agent creations against one worker,
 * a third failing at random steps; prints operations per second, p50/p99
 * latency and compensations run, against a baseline of one creation alone in
 * the same process — and every problem found in the world (none expected).
 * LOAD_COUNT overrides 200.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadSummary, runLoad } from '../test/reliability/load';
import { activityProfile } from './activityProfile';
import { withTemporal } from './support';

async function main(): Promise<void> {
  const root = mkdtempSync(path.join(tmpdir(), 'ratchet-bench-load-'));
  const dataDir = path.join(root, 'data');
  const profile = activityProfile();
  try {
    await withTemporal(
      { dataDir },
      async ({ client, taskQueue }) => {
        const one = await runLoad({ client, taskQueue, dataDir, count: 1, failShare: 0 });
        const count = Number(process.env.LOAD_COUNT ?? 200);
        const report = await runLoad({ client, taskQueue, dataDir, count, seed: 12 });
        console.log(loadSummary(report));
        console.log(
          `p50 under load vs one creation alone: ${(report.p50Ms / 1000).toFixed(1)} s vs ${(one.p50Ms / 1000).toFixed(1)} s → ${(report.p50Ms / one.p50Ms).toFixed(1)}×`,
        );
        // Where the time went: queueing before each activity vs running it.
        console.log(`\n${profile.table()}`);
        if (report.problems.length) process.exitCode = 1;
      },
      { interceptors: { activity: [profile.interceptor] } },
    );
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
