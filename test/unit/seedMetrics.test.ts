/** Issue 17, seed 004: its Prometheus names map one to one onto ratchet's, with the same labels, as the README says. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { METRICS } from '../../domain/metrics';
import { SEED_004_METRICS } from '../../domain/seedMetrics';

describe("seed 004's Prometheus table", () => {
  it('every seed metric is exported under ratchet’s name with the same label set', () => {
    for (const m of SEED_004_METRICS) {
      expect(m.ratchet.replace(/^ratchet_/, 'asm_'), m.seed).toBe(m.seed);
      expect([...METRICS[m.ratchet].labels], m.seed).toEqual([...m.labels]);
    }
    expect(new Set(SEED_004_METRICS.map((m) => m.ratchet)).size).toBe(SEED_004_METRICS.length);
  });

  it('the README prints exactly this mapping', () => {
    const readme = readFileSync(path.join(__dirname, '..', '..', 'README.md'), 'utf8');
    const start = readme.indexOf("Seed 004's Prometheus table, mapped");
    expect(start).toBeGreaterThan(0);
    const rows = readme
      .slice(start)
      .split('\n')
      .filter((l) => l.startsWith('| `asm_'))
      .map((l) =>
        l
          .split('|')
          .slice(1, -1)
          .map((c) => c.trim()),
      );
    const tick = (x: string) => `\`${x}\``;
    expect(rows).toEqual(
      SEED_004_METRICS.map((m) => [
        tick(m.seed),
        tick(m.ratchet),
        m.labels.length ? m.labels.map(tick).join(', ') : '—',
      ]),
    );
  });
});
