/**
 * Many agent creations at once against one worker, a share of them failing
 * at a random step (a seeded fault plan): then the world is checked — no
 * leak, no registry entry lost or duplicated, no cross-talk (every resource
 * belongs to its own operation) — and the figures are returned.
 */
import type { Client } from '@temporalio/client';
import { readRegistry } from '../../activities/agents/registry';
import { groupRepresentatives, ownedProcesses } from '../../activities/infra/processes';
import { createAgent, deleteAgent } from '../../client/operations';
import { stepFault } from '../../domain/faults';
import { AGENT_STEPS, type OperationOutcome } from '../../domain/operations';
import { leftoversOf } from './world';
import { mulberry32 as prng } from '../../domain/judge/random';

export interface LoadOptions {
  client: Client;
  taskQueue: string;
  dataDir: string;
  count: number;
  /** @default 1/3 */
  failShare?: number;
  seed?: number;
}

export interface LoadReport {
  operations: number;
  completed: number;
  compensated: number;
  other: number;
  wallMs: number;
  opsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  compensationsRun: number;
  /** Every problem found in the world; empty is the goal. */
  problems: string[];
}

const quantile = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;

// A light agent (a shell loop) that heartbeats: 200 of them must fit on a small machine.
const COMMAND = 'while :; do touch "$RATCHET_HEARTBEAT_FILE"; sleep 0.5; done';
const STEPS = AGENT_STEPS.filter((s) => s !== 'create_worktree');

export async function runLoad(o: LoadOptions): Promise<LoadReport> {
  const random = prng(o.seed ?? 12);
  const plans = Array.from({ length: o.count }, (_, i) => {
    const fails = random() < (o.failShare ?? 1 / 3);
    const step = STEPS[Math.floor(random() * STEPS.length)]!;
    return { name: `load-${i}`, failAt: fails ? step : null };
  });
  const started = Date.now();
  const latencies: number[] = [];
  const outcomes = await Promise.all(
    plans.map(async (p) => {
      const t0 = Date.now();
      const outcome: OperationOutcome = await createAgent(
        o.client,
        o.taskQueue,
        {
          name: p.name,
          command: COMMAND,
          memoryMb: 1,
          limits: { maxAgents: 100_000, memoryBudgetMb: 1_000_000 },
          healthTimeoutMs: 60_000,
          stepTimeoutMs: 120_000,
        },
        p.failAt ? { faults: [stepFault('agent', p.failAt, 'permanent')] } : {},
      );
      latencies.push(Date.now() - t0);
      return { plan: p, outcome };
    }),
  );
  const wallMs = Date.now() - started;
  const problems: string[] = [];
  const reg = await readRegistry(o.dataDir);
  const procs = groupRepresentatives(
    (await ownedProcesses()).filter((p) => p.dataDir === o.dataDir),
  );
  for (const { plan, outcome } of outcomes) {
    const id = String(outcome.resources.agentId);
    const expected = plan.failAt ? 'compensated' : 'completed';
    if (outcome.status !== expected)
      problems.push(`${plan.name}: ${outcome.status}, expected ${expected}`);
    if (outcome.status === 'completed') {
      const entry = reg.agents[id];
      if (!entry || entry.name !== plan.name)
        problems.push(`${plan.name}: registry entry lost or not its own`);
      if (!reg.allocations[id]) problems.push(`${plan.name}: quota booking lost`);
      const mine = procs.filter((p) => p.owner === id);
      if (mine.length !== 1 || mine[0]!.pid !== outcome.resources.pid)
        problems.push(`${plan.name}: ${mine.length} processes, or not the one it reported`);
    }
  }
  const byName = new Map<string, number>();
  for (const a of Object.values(reg.agents)) byName.set(a.name, (byName.get(a.name) ?? 0) + 1);
  for (const [name, n] of byName) if (n > 1) problems.push(`${name}: ${n} registry entries`);
  const completed = outcomes.filter((x) => x.outcome.status === 'completed');
  if (Object.keys(reg.agents).length !== completed.length)
    problems.push(
      `${Object.keys(reg.agents).length} registry entries for ${completed.length} agents`,
    );
  if (Object.keys(reg.allocations).length !== completed.length)
    problems.push(
      `${Object.keys(reg.allocations).length} quota bookings for ${completed.length} agents`,
    );

  // Delete what was created (also under load), then nothing at all may be left.
  await Promise.all(
    completed.map(async ({ outcome, plan }) => {
      const del = await deleteAgent(o.client, o.taskQueue, String(outcome.resources.agentId));
      if (del.status !== 'completed') problems.push(`${plan.name}: delete ${del.status}`);
    }),
  );
  for (const { plan, outcome } of outcomes) {
    for (const left of await leftoversOf(o.dataDir, String(outcome.resources.agentId), null))
      problems.push(`${plan.name}: left ${left}`);
  }
  const after = await readRegistry(o.dataDir);
  if (Object.keys(after.agents).length || Object.keys(after.allocations).length)
    problems.push('registry not empty after deleting everything');

  latencies.sort((a, b) => a - b);
  return {
    operations: o.count,
    completed: completed.length,
    compensated: outcomes.filter((x) => x.outcome.status === 'compensated').length,
    other: outcomes.filter((x) => !['completed', 'compensated'].includes(x.outcome.status)).length,
    wallMs,
    opsPerSec: (o.count * 1000) / wallMs,
    p50Ms: quantile(latencies, 0.5),
    p99Ms: quantile(latencies, 0.99),
    compensationsRun: outcomes.reduce(
      (n, x) => n + x.outcome.compensations.filter((c) => c.status === 'succeeded').length,
      0,
    ),
    problems,
  };
}

export function loadSummary(r: LoadReport): string {
  return [
    `${r.operations} concurrent agent creations: ${r.completed} completed, ${r.compensated} compensated, ${r.other} other`,
    `${r.opsPerSec.toFixed(1)} operations/s over ${(r.wallMs / 1000).toFixed(1)} s; latency p50 ${(r.p50Ms / 1000).toFixed(1)} s, p99 ${(r.p99Ms / 1000).toFixed(1)} s`,
    `${r.compensationsRun} compensations ran; ${r.problems.length} problems${r.problems.length ? `:\n  ${r.problems.slice(0, 20).join('\n  ')}` : ''}`,
  ].join('\n');
}
