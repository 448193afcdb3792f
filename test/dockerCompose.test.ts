/** No Docker engine runs here, so the compose file's structure is what we can prove. */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

interface Service {
  image?: string;
  volumes?: string[];
  build?: string;
  ports?: string[];
  environment?: Record<string, string>;
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
}

const root = path.join(__dirname, '..');
/** Two hosts (issue 14): each worker its own host id, data and workspaces. */
const WORKERS = ['ratchet-worker-a', 'ratchet-worker-b'];
const compose = parse(readFileSync(path.join(root, 'docker-compose.yml'), 'utf8')) as {
  services: Record<string, Service>;
};

/** `docker compose` (plugin) or `docker-compose` (standalone), whichever answers; null without either. */
const COMPOSE = [['docker', 'compose'], ['docker-compose']].find(
  ([cmd, ...args]) => spawnSync(cmd!, [...args, 'version'], { stdio: 'ignore' }).status === 0,
);
if (!COMPOSE) {
  process.stderr.write(
    'SKIPPED: `docker compose config` validation — neither `docker compose` nor `docker-compose` is installed\n',
  );
}

describe('docker-compose.yml', () => {
  const s = compose.services;

  it('runs PostgreSQL, the Temporal server, the Web UI, the ratchet worker, Prometheus and Grafana', () => {
    expect(Object.keys(s).sort()).toEqual([
      'grafana',
      'postgresql',
      'prometheus',
      'ratchet-worker-a',
      'ratchet-worker-b',
      'temporal',
      'temporal-ui',
    ]);
    expect(s.temporal?.image).toMatch(/^temporalio\/auto-setup:/);
    expect(s['temporal-ui']?.image).toMatch(/^temporalio\/ui:/);
    for (const w of WORKERS) expect(s[w]?.build).toBe('.');
  });

  it('gives every service a health check and starts them in order', () => {
    for (const [name, service] of Object.entries(s)) {
      expect(service.healthcheck?.test, name).toBeDefined();
    }
    expect(s.temporal?.depends_on?.postgresql?.condition).toBe('service_healthy');
    for (const w of WORKERS) {
      expect(s[w]?.depends_on?.temporal?.condition).toBe('service_healthy');
    }
  });

  it('exposes the frontend and UI, and points the worker at the cluster', () => {
    expect(s.temporal?.ports).toContain('7233:7233');
    expect(s['temporal-ui']?.ports).toContain('8080:8080');
    expect(s.temporal?.environment?.DB).toBe('postgres12');
    for (const w of WORKERS) {
      expect(s[w]?.environment).toMatchObject({
        TEMPORAL_ADDRESS: 'temporal:7233',
        RATCHET_TASK_QUEUE: 'ratchet',
      });
    }
  });

  it('builds the worker image from a Dockerfile that runs the worker', () => {
    const dockerfile = readFileSync(path.join(root, 'Dockerfile'), 'utf8');
    expect(dockerfile).toMatch(/^FROM node:20/m);
    expect(dockerfile).toMatch(/npm ci/);
    expect(dockerfile).toMatch(/CMD \["node", "bin\/ratchet.js", "worker"\]/);
  });

  it('runs two hosts: distinct host ids and volumes, and a health check that asks the worker itself', () => {
    const env = WORKERS.map((w) => s[w]?.environment ?? {});
    expect(new Set(env.map((e) => e.RATCHET_HOST_ID)).size).toBe(2);
    const dataVolumes = WORKERS.map((w) => s[w]?.volumes?.find((v) => v.endsWith(':/data')));
    expect(dataVolumes.every(Boolean)).toBe(true);
    expect(new Set(dataVolumes).size).toBe(2);
    for (const w of WORKERS) {
      // Not "doctor printed something": its own host queue and the shared queue have pollers.
      expect(s[w]?.healthcheck?.test.join(' ')).toMatch(/doctor --only worker,host-queue$/);
    }
    const prometheus = readFileSync(path.join(root, 'ops', 'prometheus', 'prometheus.yml'), 'utf8');
    for (const w of WORKERS) expect(prometheus).toContain(`${w}:9464`);
  });

  it.skipIf(!COMPOSE)('validates with `docker compose config`', () => {
    const [cmd, ...args] = COMPOSE!;
    const res = spawnSync(
      cmd!,
      [...args, '-f', path.join(root, 'docker-compose.yml'), 'config', '-q'],
      {
        encoding: 'utf8',
      },
    );
    expect(res.status, res.stderr).toBe(0);
  });
});
