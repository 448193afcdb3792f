/**
 * The alert rules and the Grafana dashboard, checked with Prometheus's own
 * PromQL grammar (@prometheus-io/lezer-promql): every expression parses, and
 * every metric it reads is one the worker exports (domain/metrics.ts) — a
 * renamed metric breaks this test, not a pager at 3 a.m.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { exportedSeriesNames, METRICS } from '../../domain/metrics';

const OPS = path.join(__dirname, '..', '..', 'ops');

// The parser is an ES module; this file is CommonJS, so it is loaded with import().
const loadPromql = () => import('@prometheus-io/lezer-promql');
let parser: Awaited<ReturnType<typeof loadPromql>>['parser'];
beforeAll(async () => {
  ({ parser } = await loadPromql());
});

/** Parse errors and the metric names of every vector selector in `expr`. */
export function analyse(expr: string): { errors: string[]; metrics: string[] } {
  const errors: string[] = [];
  const metrics: string[] = [];
  parser.parse(expr).iterate({
    enter(node) {
      if (node.type.isError)
        errors.push(`syntax error at ${node.from}: "${expr.slice(node.from, node.from + 20)}"`);
      if (node.name === 'Identifier' && node.node.parent?.name === 'VectorSelector')
        metrics.push(expr.slice(node.from, node.to));
    },
  });
  return { errors, metrics };
}

interface Rule {
  alert?: string;
  expr: string;
  for?: string;
  annotations?: Record<string, string>;
}

const rules = (
  parse(readFileSync(path.join(OPS, 'prometheus', 'alerts.yml'), 'utf8')) as {
    groups: { name: string; rules: Rule[] }[];
  }
).groups.flatMap((g) => g.rules);

interface Panel {
  title: string;
  type: string;
  targets?: { expr: string }[];
}
const dashboard = JSON.parse(readFileSync(path.join(OPS, 'grafana', 'ratchet.json'), 'utf8')) as {
  uid: string;
  panels: Panel[];
};

describe('the PromQL checker itself', () => {
  it('finds metric names and reports broken expressions', () => {
    expect(analyse('sum by (le) (rate(a_bucket{x="y"}[5m])) / on() b').metrics).toEqual([
      'a_bucket',
      'b',
    ]);
    expect(analyse('rate(ratchet_version_rollbacks_total[5m] > 1').errors).not.toEqual([]);
    expect(analyse('sum(rate(x[5m])) >').errors).not.toEqual([]);
  });
});

describe('ops/prometheus/alerts.yml', () => {
  const exported = exportedSeriesNames();

  it('has the alerts operators were promised', () => {
    expect(rules.map((r) => r.alert).sort()).toEqual(
      [
        'RatchetBreakingChangePendingTooLong',
        'RatchetCleanupBelowComplete',
        'RatchetCompensationIncomplete',
        'RatchetCycleNeedsAttention',
        'RatchetNoWorkerPolling',
        'RatchetRollbackStorm',
      ].sort(),
    );
    const storm = rules.find((r) => r.alert === 'RatchetRollbackStorm')!;
    expect(storm.expr).toMatch(/rate\(ratchet_version_rollbacks_total\[5m\]\)\) > 0\.5/);
    expect(storm.for).toBe('2m');
  });

  it.each(rules.map((r) => [r.alert!, r] as const))(
    '%s parses and reads only exported metrics',
    (_name, rule) => {
      const { errors, metrics } = analyse(rule.expr);
      expect(errors).toEqual([]);
      expect(metrics.length).toBeGreaterThan(0);
      expect(metrics.filter((m) => !exported.has(m))).toEqual([]);
      expect(rule.annotations?.summary).toBeTruthy();
    },
  );
});

describe('ops/grafana/ratchet.json', () => {
  const exported = exportedSeriesNames();
  const targets = dashboard.panels.flatMap((p) =>
    (p.targets ?? []).map((t) => ({ panel: p.title, expr: t.expr })),
  );

  it('covers versions, cycles and verdicts, compensations and pipelines', () => {
    const rows = dashboard.panels.filter((p) => p.type === 'row').map((p) => p.title);
    expect(rows).toEqual(
      expect.arrayContaining(['Versions', 'Cycles and verdicts', 'Compensations', 'Pipelines']),
    );
    const used = new Set(targets.flatMap((t) => analyse(t.expr).metrics));
    // Every ratchet metric appears on the dashboard (histograms through their buckets).
    for (const [name, spec] of Object.entries(METRICS))
      expect(used.has(spec.kind === 'histogram' ? `${name}_bucket` : name), name).toBe(true);
  });

  it('has only queries that parse and read exported metrics', () => {
    expect(targets.length).toBeGreaterThan(10);
    for (const t of targets) {
      const { errors, metrics } = analyse(t.expr);
      expect(errors, t.panel).toEqual([]);
      expect(
        metrics.filter((m) => !exported.has(m)),
        t.panel,
      ).toEqual([]);
    }
  });
});
