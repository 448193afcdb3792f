/**
 * `npm run bench -- faults`: the whole fault matrix. For agent and session
 * creation, the worker is SIGKILLed before every step, after every step's
 * effect, and inside every compensation; a new worker finishes the run; the
 * world is checked. Prints points × outcome, and the time a lost step costs
 * against an undisturbed run (the baseline, measured in the same process).
 * Set FAULTS_ONLY=agent|session to run half.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode } from '@temporalio/worker';
import { startLocalTemporal } from '../server/localTemporal';
import { freePort } from '../server/ports';
import { makeRepo } from '../test/operations/support';
import {
  matrixPoints,
  matrixTable,
  runPoint,
  type PointResult,
} from '../test/reliability/faultMatrix';
import { startWorker } from '../test/support/workerProcess';
import { createAgent, deleteAgent } from '../client/operations';
import { WORKFLOW_INTERCEPTOR_MODULES, WORKFLOWS_PATH } from '../workers/worker';

async function main(): Promise<void> {
  const root = mkdtempSync(path.join(tmpdir(), 'ratchet-bench-faults-'));
  const server = await startLocalTemporal({
    cacheDir: process.env.RATCHET_CACHE_DIR ?? path.join(homedir(), '.cache', 'ratchet'),
    port: await freePort(),
    headless: true,
  });
  const connection = await Connection.connect({ address: server.address });
  try {
    const { code } = await bundleWorkflowCode({
      workflowsPath: WORKFLOWS_PATH,
      workflowInterceptorModules: WORKFLOW_INTERCEPTOR_MODULES,
      logger: { trace() {}, debug() {}, info() {}, warn() {}, error() {}, log() {} },
    });
    const bundlePath = path.join(root, 'bundle.js');
    writeFileSync(bundlePath, code);
    const client = new Client({ connection });
    const ctx = {
      client,
      address: server.address,
      bundlePath,
      dataDir: path.join(root, 'data'),
      repo: makeRepo(root),
      stepTimeoutMs: 3_000,
    };
    // Baseline: the same creation, undisturbed, on one worker.
    const taskQueue = 'faults-baseline';
    const w = await startWorker({ ...ctx, taskQueue });
    const t0 = Date.now();
    const ok = await createAgent(client, taskQueue, { name: 'baseline', repo: ctx.repo });
    const baselineMs = Date.now() - t0;
    await deleteAgent(client, taskQueue, String(ok.resources.agentId));
    await w.stop();

    const only = process.env.FAULTS_ONLY;
    const points = matrixPoints();
    const results: PointResult[] = [];
    for (const [i, p] of points.entries()) {
      if (only && !p.operation.startsWith(only)) continue;
      const r = await runPoint(ctx, p, i);
      results.push(r);
      console.error(`${r.operation} ${r.point}: ${r.status} ${r.problems.length ? 'FAIL' : 'ok'}`);
    }
    console.log(matrixTable(results));
    const bad = results.filter((r) => r.problems.length > 0);
    const completed = results.filter((r) => r.status === 'completed').length;
    const compensated = results.filter((r) => r.status === 'compensated').length;
    const avgMs = results.reduce((a, r) => a + r.ms, 0) / Math.max(results.length, 1);
    console.log(
      `\n${results.length} kill points: ${completed} completed, ${compensated} compensated, ${bad.length} with a wrong world`,
    );
    console.log(
      `a run with a SIGKILLed worker: ${(avgMs / 1000).toFixed(1)} s on average vs ${(baselineMs / 1000).toFixed(1)} s undisturbed → ${(avgMs / baselineMs).toFixed(1)}× (worker restart + one step timeout)`,
    );
    if (bad.length) process.exitCode = 1;
  } finally {
    await connection.close();
    await server.stop();
    rmSync(root, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
