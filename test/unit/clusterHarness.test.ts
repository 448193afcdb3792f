/**
 * The cluster harness's own failure paths (scripts/cluster/), fast and without
 * PostgreSQL or a server build: it picks the newest installed PostgreSQL, says
 * what to do when there is none, and a server that dies at start is reported
 * with its log file — promptly, not after a timeout.
 */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findPostgresBin } from '../../scripts/cluster/postgres';
import { cachedServerBinaries } from '../../scripts/cluster/serverBuild';
import { startTemporalCluster } from '../../scripts/cluster/temporalCluster';

const dir = mkdtempSync(path.join(tmpdir(), 'ratchet-harness-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function executable(file: string, body = '#!/bin/sh\nexit 0\n'): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, body);
  chmodSync(file, 0o755);
}

describe('cluster harness', () => {
  it('picks the newest PostgreSQL that has initdb, and none when nothing is installed', () => {
    const root = path.join(dir, 'pg');
    executable(path.join(root, '13', 'bin', 'initdb'));
    executable(path.join(root, '15', 'bin', 'initdb'));
    mkdirSync(path.join(root, '16', 'bin'), { recursive: true }); // a client-only leftover
    expect(findPostgresBin(root)).toBe(path.join(root, '15', 'bin'));
    expect(findPostgresBin(path.join(dir, 'nowhere'))).toBeUndefined();
  });

  it('uses cached binaries only when both are executable', () => {
    const cache = path.join(dir, 'cache');
    expect(cachedServerBinaries(cache)).toBeUndefined();
    const bins = path.join(cache, 'temporal-server-v1.29.1');
    executable(path.join(bins, 'temporal-server'));
    expect(cachedServerBinaries(cache)).toBeUndefined();
    executable(path.join(bins, 'temporal-sql-tool'));
    expect(cachedServerBinaries(cache)).toMatchObject({ built: false });
  });

  it('reports a server that exits at start at once, naming its log', async () => {
    const server = path.join(dir, 'bad-server');
    executable(server, '#!/bin/sh\necho "config is broken" >&2\nexit 3\n');
    const root = path.join(dir, 'server-root');
    const started = Date.now();
    await expect(
      startTemporalCluster({
        binaries: { server, sqlTool: '/bin/false', built: false },
        postgres: { host: '127.0.0.1', port: 1, user: 'postgres', dir, stop: async () => {} },
        dir: root,
      }),
    ).rejects.toThrow(/exited while starting; see .*temporal-server\.log/);
    expect(Date.now() - started).toBeLessThan(60_000);
    expect(existsSync(path.join(root, 'temporal-server.log'))).toBe(true);
  });
});
