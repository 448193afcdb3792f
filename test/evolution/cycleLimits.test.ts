/**
 * What keeps a long cycle healthy: budgets pause it (never killing work in
 * flight), its state stays bounded across continue-as-new while the durable
 * log keeps every event, and a sink that is down never stops it.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventLogFile, readEventLog } from '../../activities/evolution/eventLog';
import { evolutionEventLog, evolutionStatus, resumeEvolution } from '../../client/evolution';
import type { EvolutionEvent } from '../../domain/evolution/events';
import { createTestEnv, type TestEnv } from '../helpers';
import { BASE_FILES, CHANGES } from '../support/evolutionFixture';
import { readTree, runCycle } from '../support/evolutionRun';

describe('cycle limits', () => {
  let env: TestEnv;
  beforeAll(async () => {
    env = await createTestEnv();
  });
  afterAll(async () => env?.teardown());

  it('pauses when a budget is reached and goes on when resumed', async () => {
    const even = { 'perf.json': '{ "factor": 0.7 }\n' };
    const { result, workspace } = await runCycle({
      env,
      name: 'budget',
      plan: { 1: { files: CHANGES.faster }, 2: { files: even } },
      config: { iterations: 2, budgets: { evaluations: 1 } },
      during: async (handle) => {
        await expect
          .poll(async () => await evolutionStatus(env.client, handle.workflowId), {
            timeout: 90_000,
            interval: 250,
          })
          .toMatchObject({ state: 'paused', stopReason: 'evaluation budget of 1 reached' });
        const status = await evolutionStatus(env.client, handle.workflowId);
        expect(status.iteration).toBe(1);
        expect(status.budgets?.evaluations).toBe(1);
        await resumeEvolution(env.client, handle.workflowId);
      },
    });
    expect(result.state).toBe('completed');
    expect(result.iterations.map((r) => r.decision)).toEqual(['accepted', 'accepted']);
    expect(result.events.map((e) => e.type)).toContain('BUDGET_REACHED');
    expect(readTree(workspace)).toEqual({ ...BASE_FILES, ...even });
  });

  it('carries a bounded tail over continue-as-new; the durable log keeps every event', async () => {
    const iterations = 16;
    const { result } = await runCycle({
      env,
      name: 'bounded',
      // Every candidate changes nothing: quick iterations, each a full rollback trail.
      plan: Object.fromEntries(
        Array.from({ length: iterations }, (_, i) => [i + 1, { files: {} }]),
      ),
      config: { iterations, iterationsPerRun: 3, maxConsecutiveRejections: iterations + 1 },
      during: async (handle, { dataDir }) => {
        await handle.result();
        const all = await evolutionEventLog(env.client, handle.workflowId, { dataDir });
        const last = all.at(-1)!.seq;
        expect(all.map((e) => e.seq)).toEqual(Array.from({ length: last }, (_, i) => i + 1));
        const page = await evolutionEventLog(env.client, handle.workflowId, {
          dataDir,
          sinceSeq: 10,
          limit: 5,
        });
        expect(page.map((e) => e.seq)).toEqual([11, 12, 13, 14, 15]);
        // The last run started from a carried state bounded by the tails, not by the cycle's length.
        const history = await handle.fetchHistory();
        const started = history.events?.[0]?.workflowExecutionStartedEventAttributes;
        const inputBytes = started?.input?.payloads?.[0]?.data?.length ?? 0;
        expect(started?.continuedExecutionRunId).toBeTruthy();
        expect(inputBytes).toBeLessThan(120_000);
      },
    });
    expect(result.iterations).toHaveLength(iterations);
    expect(result.events.length).toBeLessThanOrEqual(110);
    expect(result.events[0]!.seq).toBeGreaterThan(1);
    expect(result.iterations.every((r) => r.reasonCode === 'mutator_no_change')).toBe(true);
  });

  it('keeps going while the event log cannot be written, and catches it up once it can', async () => {
    const blocker = { path: '' };
    const { result, dataDir } = await runCycle({
      env,
      name: 'logdown',
      plan: ({ dataDir }) => {
        // A file where the module's log directory belongs: every append fails.
        mkdirSync(path.join(dataDir, 'evolution'), { recursive: true });
        blocker.path = path.join(dataDir, 'evolution', 'logdown');
        writeFileSync(blocker.path, 'not a directory');
        return { 1: { files: CHANGES.faster } };
      },
      during: async (handle) => {
        await expect
          .poll(
            async () =>
              (await evolutionStatus(env.client, handle.workflowId)).delivery?.log?.failures ?? 0,
            { timeout: 90_000, interval: 250 },
          )
          .toBeGreaterThan(0);
        rmSync(blocker.path);
      },
    });
    expect(result.state).toBe('completed');
    expect(result.iterations[0]).toMatchObject({ decision: 'accepted' });
    const logged = await readEventLog(eventLogFile(dataDir, 'logdown', result.workflowId));
    const last = logged.at(-1)!.seq;
    expect(logged.map((e) => e.seq)).toEqual(Array.from({ length: last }, (_, i) => i + 1));
    expect(logged.map((e) => e.type)).toContain('SINK_DELIVERY_FAILED');
  });

  it('keeps going while the webhook is down, then delivers what it missed in order', async () => {
    let healthy = false;
    let refused = 0;
    const received: EvolutionEvent[] = [];
    const server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        if (!healthy) {
          refused++;
          res.writeHead(400).end();
          return;
        }
        received.push(...(JSON.parse(body) as { events: EvolutionEvent[] }).events);
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/events`;
    try {
      const { result, dataDir } = await runCycle({
        env,
        name: 'webhookdown',
        plan: { 1: { files: CHANGES.faster }, 2: { files: CHANGES.bug } },
        config: { iterations: 2, sinks: { webhook: url } },
        during: async (handle) => {
          await expect
            .poll(
              async () =>
                (await evolutionStatus(env.client, handle.workflowId)).delivery?.webhook
                  ?.failures ?? 0,
              { timeout: 90_000, interval: 250 },
            )
            .toBeGreaterThan(0);
          const status = await evolutionStatus(env.client, handle.workflowId);
          expect(status.delivery?.webhook?.lag).toBeGreaterThan(0);
          healthy = true;
        },
      });
      expect(result.state).toBe('completed');
      expect(result.iterations.map((r) => r.decision)).toEqual(['accepted', 'rolled_back']);
      expect(refused).toBeGreaterThan(0);
      const logged = await readEventLog(eventLogFile(dataDir, result.moduleId, result.workflowId));
      expect(logged.map((e) => e.type)).toContain('SINK_DELIVERY_FAILED');
      // Everything the log holds reached the webhook, once each, in order.
      expect(received.map((e) => e.seq)).toEqual(logged.map((e) => e.seq));
    } finally {
      server.close();
    }
  });
});
