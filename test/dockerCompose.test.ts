/** No Docker engine runs here, so the compose file's structure is what we can prove. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

interface Service {
  image?: string;
  build?: string;
  ports?: string[];
  environment?: Record<string, string>;
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
}

const root = path.join(__dirname, '..');
const compose = parse(readFileSync(path.join(root, 'docker-compose.yml'), 'utf8')) as {
  services: Record<string, Service>;
};

describe('docker-compose.yml', () => {
  const s = compose.services;

  it('runs PostgreSQL, the Temporal server, the Web UI, the ratchet worker, Prometheus and Grafana', () => {
    expect(Object.keys(s).sort()).toEqual([
      'grafana',
      'postgresql',
      'prometheus',
      'ratchet-worker',
      'temporal',
      'temporal-ui',
    ]);
    expect(s.temporal?.image).toMatch(/^temporalio\/auto-setup:/);
    expect(s['temporal-ui']?.image).toMatch(/^temporalio\/ui:/);
    expect(s['ratchet-worker']?.build).toBe('.');
  });

  it('gives every service a health check and starts them in order', () => {
    for (const [name, service] of Object.entries(s)) {
      expect(service.healthcheck?.test, name).toBeDefined();
    }
    expect(s.temporal?.depends_on?.postgresql?.condition).toBe('service_healthy');
    expect(s['ratchet-worker']?.depends_on?.temporal?.condition).toBe('service_healthy');
  });

  it('exposes the frontend and UI, and points the worker at the cluster', () => {
    expect(s.temporal?.ports).toContain('7233:7233');
    expect(s['temporal-ui']?.ports).toContain('8080:8080');
    expect(s.temporal?.environment?.DB).toBe('postgres12');
    expect(s['ratchet-worker']?.environment).toMatchObject({
      TEMPORAL_ADDRESS: 'temporal:7233',
      RATCHET_TASK_QUEUE: 'ratchet',
    });
  });

  it('builds the worker image from a Dockerfile that runs the worker', () => {
    const dockerfile = readFileSync(path.join(root, 'Dockerfile'), 'utf8');
    expect(dockerfile).toMatch(/^FROM node:20/m);
    expect(dockerfile).toMatch(/npm ci/);
    expect(dockerfile).toMatch(/CMD \["node", "bin\/ratchet.js", "worker"\]/);
  });
});
