/** Evolution events reach their sinks: a JSONL file and a webhook (retried while it fails). */
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EvolutionEvent } from '../../domain/evolution/events';
import { createTestEnv, type TestEnv } from '../helpers';
import { CHANGES } from '../support/evolutionFixture';
import { runCycle } from '../support/evolutionRun';

describe('evolution event sinks', () => {
  let env: TestEnv;
  let server: http.Server;
  let url: string;
  const received: EvolutionEvent[] = [];
  let requests = 0;
  beforeAll(async () => {
    env = await createTestEnv();
    server = http.createServer((req, res) => {
      requests++;
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        // The first delivery fails: the workflow's retry policy must deliver it again.
        if (requests === 1) {
          res.writeHead(503).end();
          return;
        }
        received.push(...(JSON.parse(body) as { events: EvolutionEvent[] }).events);
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/events`;
  });
  afterAll(async () => {
    server?.close();
    await env?.teardown();
  });

  it('writes every event to the JSONL file and posts every one to the webhook, once', async () => {
    const jsonl = path.join(env.tempDir('ratchet-sinks-'), 'events.jsonl');
    const { result } = await runCycle({
      env,
      name: 'sinks',
      plan: { 1: { files: CHANGES.faster } },
      config: { sinks: { jsonl, webhook: url } },
    });
    const lines = readFileSync(jsonl, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as EvolutionEvent);
    expect(lines.map((e) => e.seq)).toEqual(result.events.map((e) => e.seq));
    expect(received.map((e) => e.seq).sort((a, b) => a - b)).toEqual(
      result.events.map((e) => e.seq),
    );
    expect(requests).toBeGreaterThan(1);
  }, 60_000);
});
