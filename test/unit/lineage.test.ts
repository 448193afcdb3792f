import { describe, expect, it } from 'vitest';
import { parseDuration } from '../../domain/duration';
import { diffInterfaces, interfaceFromLines } from '../../domain/interfaceDiff';
import {
  parseCheckpointId,
  renderLineageDot,
  renderLineageText,
  rollbackChain,
  rollbackTarget,
} from '../../domain/lineage';
import { planRetention } from '../../domain/retention';
import type { VersionRecord, VersionStatus } from '../../domain/versions';

function v(
  n: number,
  parent: number | null,
  status: VersionStatus = 'accepted',
  tags: string[] = [],
  extra: Partial<VersionRecord> = {},
): VersionRecord {
  return {
    moduleId: 'm',
    version: `v${n}`,
    checkpointId: `m@v${n}`,
    checksum: `sha256:${n}`,
    timestamp: new Date(Date.UTC(2025, 0, n)).toISOString(),
    parentVersion: parent === null ? null : `v${parent}`,
    tags,
    status,
    ...extra,
  };
}

/**
 *   v1(stable) ─ v2 ─ v3(quarantined) ─ v4 ─ v5(rolled_back) ─ v6(active)
 *                └─ v7 ─ v8 (another branch, accepted)
 */
const branched = [
  v(1, null, 'accepted', ['stable']),
  v(2, 1),
  v(3, 2, 'quarantined'),
  v(4, 3),
  v(5, 4, 'rolled_back'),
  v(6, 5, 'active'),
  v(7, 2),
  v(8, 7),
];

describe('rollbackTarget', () => {
  it('walks parents from the active version, skipping unsafe versions and other branches', () => {
    expect(rollbackTarget(branched)?.version).toBe('v4');
    expect(rollbackTarget(branched, { from: 'v4' })?.version).toBe('v2');
    expect(rollbackTarget(branched, { from: 'v8' })?.version).toBe('v7');
  });

  it('gives the cascading chain, honours tag filters and exclusions', () => {
    expect(rollbackChain(branched).map((r) => r.version)).toEqual(['v4', 'v2', 'v1']);
    expect(rollbackTarget(branched, { tag: 'stable' })?.version).toBe('v1');
    expect(rollbackTarget(branched, { exclude: ['v4', 'v2'] })?.version).toBe('v1');
  });

  it('skips rejected, pending, unverified and pruned versions', () => {
    const lineage = [
      v(1, null, 'rejected'),
      v(2, 1, 'pending_approval'),
      v(3, 2, 'accepted', [], { verified: false }),
      v(4, 3, 'accepted', [], { pruned: true }),
      v(5, 4, 'active'),
    ];
    expect(rollbackTarget(lineage)).toBeNull();
  });

  it('returns null with no target: first version, unknown start, no active, no tagged ancestor', () => {
    expect(rollbackTarget([v(1, null, 'active')])).toBeNull();
    expect(rollbackTarget(branched, { from: 'v99' })).toBeNull();
    expect(rollbackTarget([v(1, null), v(2, 1)])).toBeNull();
    expect(rollbackTarget(branched, { from: 'v8', tag: 'gold' })).toBeNull();
  });

  it('survives a cycle in corrupted data', () => {
    const cyclic = [v(1, 2, 'rejected'), v(2, 1, 'active')];
    expect(rollbackTarget(cyclic)).toBeNull();
  });
});

describe('lineage rendering and ids', () => {
  it('parses ids and refuses path tricks', () => {
    expect(parseCheckpointId('my.mod-1@v12')).toEqual({ moduleId: 'my.mod-1', version: 'v12' });
    for (const bad of ['m@1', 'm@v0', '../m@v1', 'm@v1/../x', '@v1']) {
      expect(parseCheckpointId(bad)).toBeNull();
    }
  });

  it('renders git-log-like text newest first, and a dot graph with statuses', () => {
    const text = renderLineageText(branched);
    expect(text.indexOf('m@v8')).toBeLessThan(text.indexOf('m@v1'));
    expect(text).toContain('version m@v6 (active)');
    expect(text).toContain('version m@v1 (accepted, tag: stable)');
    const dot = renderLineageDot('m', branched);
    expect(dot).toMatch(/^digraph "m" \{/);
    expect(dot).toContain('"v2" -> "v7";');
    expect(dot).toContain('"v3" [label="v3\\nquarantined", fillcolor=red];');
  });
});

describe('planRetention', () => {
  const now = new Date(Date.UTC(2025, 0, 31));
  it('keeps stable, active and its ancestors back to the newest stable', () => {
    const chain = [
      v(1, null),
      v(2, 1, 'accepted', ['stable']),
      v(3, 2),
      v(4, 3, 'accepted', ['stable']),
      v(5, 4),
      v(6, 5, 'active'),
      v(7, 6),
      v(8, 7),
    ];
    const plan = planRetention(chain, { maxCheckpoints: 2, maxAgeMs: 365 * 86_400_000 }, now);
    expect(plan.remove).toEqual(['v3', 'v1']);
    expect(plan.protected.map((p) => p.version)).toEqual(['v6', 'v5', 'v4', 'v2']);
  });

  it('removes by age as well as count, and ignores pruned versions', () => {
    const lineage = [
      v(1, null, 'accepted', [], { pruned: true }),
      v(20, null),
      v(29, 20),
      v(30, 29, 'active'),
    ];
    const plan = planRetention(lineage, { maxCheckpoints: 50, maxAgeMs: 5 * 86_400_000 }, now);
    // v20 is an ancestor of the active v30 with no stable floor: protected
    expect(plan.remove).toEqual([]);
    expect(plan.protected).toEqual([{ version: 'v20', reason: 'ancestor of active v30' }]);
    const noActive = lineage.map((r) => ({ ...r, status: 'accepted' as const }));
    expect(
      planRetention(noActive, { maxCheckpoints: 50, maxAgeMs: 5 * 86_400_000 }, now).remove,
    ).toEqual(['v20']);
  });
});

describe('diffInterfaces', () => {
  it('grades removed/changed as BREAKING, additions as MINOR_CHANGE, same as COMPATIBLE', () => {
    const a = { f: '(x: number) => string', g: 'const number' };
    expect(diffInterfaces(a, { ...a }).level).toBe('COMPATIBLE');
    expect(diffInterfaces(a, { ...a, h: 'const string' })).toMatchObject({
      level: 'MINOR_CHANGE',
      added: ['h'],
    });
    const broken = diffInterfaces(a, { f: '(x: string) => string' });
    expect(broken).toMatchObject({ level: 'BREAKING', removed: ['g'], changed: ['f'] });
    expect(broken.rationale).toEqual([
      'removed g: const number',
      'changed f: (x: number) => string → (x: string) => string',
    ]);
    expect(diffInterfaces(null, a, 'no entry').rationale).toEqual(['no entry']);
  });

  it('diffs interface command output line by line', () => {
    const from = interfaceFromLines('GET /a\nGET /b\n\n');
    expect(diffInterfaces(from, interfaceFromLines('GET /a\nGET /b\nPOST /c')).level).toBe(
      'MINOR_CHANGE',
    );
    expect(diffInterfaces(from, interfaceFromLines('GET /a')).removed).toEqual(['GET /b']);
  });
});

describe('parseDuration', () => {
  it('reads s/m/h/d/w and refuses the rest', () => {
    expect(parseDuration('7d')).toBe(7 * 86_400_000);
    expect(parseDuration('90s')).toBe(90_000);
    expect(parseDuration('1.5h')).toBe(5_400_000);
    expect(parseDuration('2w')).toBe(14 * 86_400_000);
    expect(parseDuration('soon')).toBeNull();
    expect(parseDuration('7')).toBeNull();
  });
});
