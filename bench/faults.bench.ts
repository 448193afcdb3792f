/**
 * `npm run bench -- faults`: the whole fault matrix. For agent and session
 * creation, the worker is SIGKILLed before every step, after every step's
 * effect, and inside every compensation; for an evolution iteration, at every
 * step boundary and inside the rollback's restore. A new worker finishes the
 * run; the world is checked (an evolution cycle against an undisturbed cycle
 * of the same scenario, run first). Prints points × outcome, and the time a
 * lost step costs against an undisturbed run (the baseline, measured in the
 * same process). Set FAULTS_ONLY=agent|session|evolution to run a part, and
 * FAULTS_MATCH=text to run only the points whose name contains it.
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
import { evolutionPoints, runEvolutionPoint } from '../test/reliability/evolutionMatrix';
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
  let evolutionLine = '';
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
    const match = process.env.FAULTS_MATCH;
    const wanted = (name: string) => !match || name.includes(match);
    const points = matrixPoints();
    const results: PointResult[] = [];
    const report = (r: PointResult) => {
      results.push(r);
      console.error(`${r.operation} ${r.point}: ${r.status} ${r.problems.length ? 'FAIL' : 'ok'}`);
    };
    for (const [i, p] of points.entries()) {
      if (only && !p.operation.startsWith(only)) continue;
      if (!wanted(`${p.operation} ${p.point}`)) continue;
      report(await runPoint(ctx, p, i));
    }
    if (!only || only === 'evolution') {
      const evo = { client, address: server.address, bundlePath, root };
      // Undisturbed cycles first: they must end in expectedOutcome (what every killed cycle is
      // held to), and they time the baseline.
      const undisturbedMs: number[] = [];
      for (const [i, scenario] of (['accept', 'rollback'] as const).entries()) {
        const r = await runEvolutionPoint(evo, scenario, null, 1000 + i);
        undisturbedMs.push(r.ms);
        report(r);
      }
      const killedAt = results.length;
      for (const [i, p] of evolutionPoints().entries()) {
        if (!wanted(`evolution.${p.scenario} ${p.point}`)) continue;
        report(await runEvolutionPoint(evo, p.scenario, p, 2000 + i));
      }
      const killed = results.slice(killedAt);
      const avg = killed.reduce((a, r) => a + r.ms, 0) / Math.max(killed.length, 1);
      const base = undisturbedMs.reduce((a, b) => a + b, 0) / undisturbedMs.length;
      evolutionLine = `an evolution cycle with a SIGKILLed worker: ${(avg / 1000).toFixed(1)} s on average vs ${(base / 1000).toFixed(1)} s undisturbed → ${(avg / base).toFixed(1)}× (worker restart + one heartbeat timeout)`;
    }
    console.log(matrixTable(results));
    const sagas = results.filter((r) => !r.operation.startsWith('evolution'));
    const bad = results.filter((r) => r.problems.length > 0);
    const completed = sagas.filter((r) => r.status === 'completed').length;
    const compensated = sagas.filter((r) => r.status === 'compensated').length;
    const cycles = results.length - sagas.length;
    const avgMs = sagas.reduce((a, r) => a + r.ms, 0) / Math.max(sagas.length, 1);
    console.log(
      `\n${results.length} runs: sagas ${completed} completed, ${compensated} compensated; ${cycles} evolution cycles; ${bad.length} with a wrong world`,
    );
    if (evolutionLine) console.log(evolutionLine);
    if (sagas.length)
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
