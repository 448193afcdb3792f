/**
 * A hot swap's downtime, as a client sees it: a poller asks every copy the
 * module has running (ports from the supervisor's records) for /release every
 * few ms, and the longest stretch with no answer is the downtime. Measured for
 * a fixed-port service (stop-then-start), a side-by-side swap, and a plain
 * kill-and-restart of the same service (the baseline), in the same run.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from '../server/ports';
import { spawnDetached, stopProcess } from '../activities/infra/processes';
import {
  serveModule,
  serveStatusQuery,
  stopServeUpdate,
  swapUpdate,
} from '../workflows/services/serve';
import { applyServicePatch, checkpoint, copyExample } from '../test/services/fixture';
import { ratioLine, withTemporal } from './support';

const RUNS = 3;
const POLL_MS = 5;

async function answers(port: number): Promise<boolean> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/release`, {
      signal: AbortSignal.timeout(500),
    });
    await res.body?.cancel();
    return res.ok;
  } catch {
    return false;
  }
}

/** Longest gap (ms) without any answer while `during` runs; `ports()` says where to ask. */
async function downtime(ports: () => number[], during: () => Promise<unknown>): Promise<number> {
  let running = true;
  let lastOk = performance.now();
  let worst = 0;
  const poll = (async () => {
    while (running) {
      const t = performance.now();
      const ok = (await Promise.all(ports().map(answers))).some(Boolean);
      if (ok) {
        worst = Math.max(worst, t - lastOk);
        lastOk = t;
      }
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  })();
  await during();
  // Until the service answers again after the change.
  const deadline = performance.now() + 30_000;
  while (performance.now() < deadline && !(await Promise.all(ports().map(answers))).some(Boolean))
    await new Promise((r) => setTimeout(r, POLL_MS));
  await new Promise((r) => setTimeout(r, 50));
  running = false;
  await poll;
  return worst;
}

function recordedPorts(dataDir: string, moduleId: string, fixed: number | null): number[] {
  if (fixed !== null) return [fixed];
  const dir = path.join(dataDir, 'services', moduleId);
  const out: number[] = [];
  let names: string[] = [];
  try {
    names = readdirSync(dir);
  } catch {
    return out; // nothing started yet
  }
  for (const f of names.filter((n) => n.endsWith('.json'))) {
    try {
      const port = (JSON.parse(readFileSync(path.join(dir, f), 'utf8')) as { port: number | null })
        .port;
      if (port) out.push(port);
    } catch {
      // being written
    }
  }
  return out;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main(): Promise<void> {
  const root = mkdtempSync(path.join(tmpdir(), 'ratchet-bench-swap-'));
  const dataDir = path.join(root, 'data');
  try {
    // Baseline: the same service killed and started again on its port.
    const baseWs = copyExample(path.join(root, 'base'));
    const basePort = await freePort();
    const owner = 'bench-swap-baseline';
    const start = () =>
      spawnDetached('node', ['service.js', String(basePort)], {
        cwd: baseWs,
        logFile: path.join(root, 'baseline.log'),
        owner,
      });
    let pid = await start();
    while (!(await answers(basePort))) await new Promise((r) => setTimeout(r, 20));
    const baseline: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      baseline.push(
        await downtime(
          () => [basePort],
          async () => {
            await stopProcess(pid, owner);
            pid = await start();
          },
        ),
      );
    }
    await stopProcess(pid, owner);

    await withTemporal({ dataDir }, async ({ client, taskQueue }) => {
      const measure = async (moduleId: string, fixedPort: number | null) => {
        const ws = copyExample(path.join(root, moduleId));
        await checkpoint(dataDir, ws, moduleId);
        applyServicePatch(ws, '01-release-2-healthy.patch');
        await checkpoint(dataDir, ws, moduleId);
        const service =
          fixedPort === null
            ? { serve: 'node service.js', health: 'http://127.0.0.1:{port}/health' }
            : {
                serve: `node service.js ${fixedPort}`,
                health: `http://127.0.0.1:${fixedPort}/health`,
              };
        const handle = await client.workflow.start(serveModule, {
          taskQueue,
          workflowId: `serve-${moduleId}`,
          args: [
            {
              moduleId,
              workspace: ws,
              service: {
                ...service,
                healthWindowSec: 2,
                healthIntervalSec: 0.25,
                healthFailureThreshold: 3,
              },
            },
          ],
        });
        const ports = () => recordedPorts(dataDir, moduleId, fixedPort);
        while (!(await Promise.all(ports().map(answers))).some(Boolean))
          await new Promise((r) => setTimeout(r, 20));
        const gaps: number[] = [];
        for (let i = 0; i < RUNS; i++) {
          const version = (await handle.query(serveStatusQuery)).version === 'v2' ? 'v1' : 'v2';
          gaps.push(
            await downtime(ports, async () => {
              const r = await handle.executeUpdate(swapUpdate, { args: [{ version }] });
              if (r.outcome !== 'committed') throw new Error(`swap ${r.outcome}: ${r.reason}`);
            }),
          );
        }
        await handle.executeUpdate(stopServeUpdate);
        await handle.result();
        return gaps;
      };
      const fixed = await measure('bench-fixed', await freePort());
      const side = await measure('bench-side', null);
      const base = median(baseline);
      console.log(`downtime per swap, median of ${RUNS} (ms), polled every ${POLL_MS} ms:`);
      console.log(
        `  kill-and-restart (baseline): ${base.toFixed(1)}  [${baseline.map((x) => x.toFixed(0)).join(', ')}]`,
      );
      console.log(
        `  ${ratioLine('stop-then-start swap (fixed port)', median(fixed), base)}  [${fixed.map((x) => x.toFixed(0)).join(', ')}]`,
      );
      console.log(
        `  ${ratioLine('side-by-side swap', median(side), base)}  [${side.map((x) => x.toFixed(0)).join(', ')}]`,
      );
    });
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
