/**
 * The CLI's fast read path (client/fastRead.ts) answers `evolve list` and
 * `evolve status` exactly as the full Temporal client does (client/evolution.ts),
 * on a real cycle waiting for approval and after it is terminated; and it
 * gives up — so the full client answers — when it cannot answer exactly.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evolutionStatus, listEvolutions } from '../client/evolution';
import {
  fastEvolutionStatus,
  fastListEvolutions,
  fastRead,
  ReadConnection,
} from '../client/fastRead';
import { fastReadOf } from '../client/fastReadEntry';
import { loadSettings, type Settings } from '../config/settings';
import { createTestEnv, type TestEnv } from './helpers';
import { CHANGES } from './support/evolutionFixture';
import { runCycle } from './support/evolutionRun';

const { readProtos } = require('../bin/bundle.js') as { readProtos: (root: string) => object };
const protos = readProtos(path.join(__dirname, '..'));

describe('fast read path', () => {
  let env: TestEnv;
  let settings: Settings;
  beforeAll(async () => {
    env = await createTestEnv();
    const dir = env.tempDir('ratchet-fast-');
    settings = loadSettings({
      cwd: dir,
      env: { TEMPORAL_ADDRESS: env.address, RATCHET_DATA_DIR: dir },
    });
  });
  afterAll(async () => env?.teardown());

  it('answers list and status as the full client does, pending and terminated', async () => {
    const compare = async (workflowId: string) => {
      const conn = await ReadConnection.open(settings, protos);
      try {
        expect(await fastEvolutionStatus(conn, workflowId)).toEqual(
          await evolutionStatus(env.client, workflowId),
        );
        const mine = (xs: Array<{ workflowId: string }>) =>
          xs.filter((x) => x.workflowId === workflowId);
        const fast = mine(await fastListEvolutions(conn));
        expect(fast).toHaveLength(1);
        expect(fast).toEqual(mine(await listEvolutions(env.client)));
      } finally {
        conn.close();
      }
    };
    const run = runCycle({
      env,
      name: 'fastread',
      plan: { 1: { files: CHANGES.renameExport } },
      config: { requireApproval: true },
      during: async (handle) => {
        await expect
          .poll(async () => (await evolutionStatus(env.client, handle.workflowId)).state, {
            timeout: 120_000,
          })
          .toBe('pending_approval');
        await compare(handle.workflowId);
        const viaCli = await fastRead(
          settings,
          { kind: 'status', workflowId: handle.workflowId },
          protos,
        );
        expect(viaCli).toMatchObject({ state: 'pending_approval' });
        await handle.terminate('fast read test');
        await compare(handle.workflowId);
        expect(await evolutionStatus(env.client, handle.workflowId)).toMatchObject({
          state: 'failed',
        });
      },
    });
    await expect(run).rejects.toThrow();
  });

  it('gives up, for the full client to answer, on what it cannot answer exactly', async () => {
    // No such cycle: the full client words the error.
    expect(await fastRead(settings, { kind: 'status', workflowId: 'no-such-cycle' }, protos)).toBe(
      undefined,
    );
    // TLS and API keys are the full client's.
    const tls = { ...settings, temporal: { ...settings.temporal, apiKey: 'k' } };
    expect(await fastRead(tls, { kind: 'list' }, protos)).toBe(undefined);
    // Nothing listening.
    const closed = { ...settings, temporal: { ...settings.temporal, address: '127.0.0.1:1' } };
    expect(await fastRead(closed, { kind: 'list' }, protos)).toBe(undefined);
    // Not built (sources, tsc's output): no pruned protos beside the module.
    expect(await fastRead(settings, { kind: 'list' }, undefined)).toBe(undefined);
  });

  it('takes only the exact polled forms; any other flag goes to the full program', () => {
    const argv = (...a: string[]) => ['node', 'ratchet', ...a];
    expect(fastReadOf(argv('evolve', 'list', '--json'))).toEqual({ read: { kind: 'list' } });
    expect(fastReadOf(argv('-c', 'r.json', 'evolve', 'status', 'evolve-x-1', '--json'))).toEqual({
      config: 'r.json',
      read: { kind: 'status', workflowId: 'evolve-x-1' },
    });
    expect(fastReadOf(argv('evolve', 'status', '--json', 'evolve-x-1'))).toMatchObject({
      read: { kind: 'status', workflowId: 'evolve-x-1' },
    });
    expect(fastReadOf(argv('agent', 'list', '--json'))).toEqual({ read: { kind: 'agents' } });
    expect(fastReadOf(argv('session', 'list', '--json'))).toEqual({ read: { kind: 'sessions' } });
    for (const other of [
      argv('evolve', 'list'),
      argv('evolve', 'list', '--json', '--limit', '3'),
      argv('evolve', 'status', '--json'),
      argv('evolve', 'status', '--json', '--help'),
      argv('evolve', 'events', 'x', '--json'),
      argv('agent', 'list'),
      argv('agent', 'delete', '--json'),
      argv('session', 'list', '--json', 'x'),
    ]) {
      expect(fastReadOf(other)).toBeUndefined();
    }
  });
});
