/** Pure parts of observability: activity summaries, current-details Markdown, bounded labels. */
import { describe, expect, it } from 'vitest';
import { progressLines, startProgress } from '../../client/output';
import { activitySummary } from '../../domain/activitySummaries';
import {
  cycleDetails,
  markdownTable,
  pipelineDetails,
  sagaDetails,
} from '../../domain/currentDetails';
import { lineageDepth } from '../../domain/lineage';
import {
  boundedLabel,
  exportedSeriesNames,
  histogramBuckets,
  METRICS,
  pipelineRevertReason,
  REVERT_REASONS,
  revertReasonOf,
} from '../../domain/metrics';
import { FAILURE_TYPES } from '../../domain/pipeline';
import type { VersionRecord } from '../../domain/versions';

describe('activitySummary', () => {
  it('speaks the domain', () => {
    expect(
      activitySummary('createCheckpoint', [{ moduleId: 'mylib', metadata: { stepName: 'test' } }]),
    ).toBe('checkpoint mylib (test)');
    expect(activitySummary('applyPatch', [{ patchFile: '/p/02-median-off-by-one.patch' }])).toBe(
      'apply 02-median-off-by-one.patch',
    );
    expect(activitySummary('runTests', [{ command: 'node --test' }])).toBe('tests (node --test)');
    expect(
      activitySummary('runPipelineStep', [{ step: { name: 'lint', run: 'npm run lint' } }]),
    ).toBe('lint (npm run lint)');
    expect(activitySummary('restoreCheckpoint', [{ checkpointId: 'mylib@v3' }])).toBe(
      'restore mylib@v3',
    );
  });

  it('never throws and stays one short line, whatever the arguments', () => {
    const hostile = [
      [],
      [null],
      [undefined],
      ['a string'],
      [{ command: 'x\n'.repeat(500) }],
      [{ step: null }],
      [
        {
          get moduleId(): string {
            throw new Error('boom');
          },
        },
      ],
    ];
    for (const name of ['createCheckpoint', 'runTests', 'runPipelineStep', 'applyPatch', 'nope']) {
      for (const args of hostile) {
        const s = activitySummary(name, args);
        expect(s.length).toBeLessThanOrEqual(120);
        expect(s).not.toMatch(/\n/);
      }
    }
    expect(activitySummary('unknownActivity', [{}])).toBe('unknownActivity');
  });
});

describe('current details', () => {
  it('escapes pipes and newlines so a hostile error cannot break the table', () => {
    const table = markdownTable(
      ['a', 'b'],
      [
        ['x | y', 'line1\nline2'],
        [null, ''],
      ],
    );
    expect(table.split('\n')).toEqual([
      '| a | b |',
      '| --- | --- |',
      '| x \\| y | line1 line2 |',
      '| — | — |',
    ]);
  });

  it('shows a saga’s steps and ledger, and a pipeline’s plan with the current strategy', () => {
    const md = sagaDetails({
      title: 'create agent a',
      phase: 'compensating',
      steps: [{ name: 'spawn_process', status: 'failed', durationMs: 12, error: 'boom' }],
      ledger: [
        {
          actionType: 'remove_record',
          resourceId: 'a-1',
          description: '',
          priority: 100,
          status: 'running',
          attempts: 2,
          durationMs: 0,
          error: null,
        },
      ],
    });
    expect(md).toContain('| remove_record | 100 | running | 2 | — |');
    expect(md).toContain('**phase:** compensating');
    const p = pipelineDetails({
      pipeline: 'ci',
      lane: 'standard',
      status: 'running',
      currentStep: 'test',
      steps: [{ name: 'test', status: 'failed', attempts: 3, durationMs: 5, checkpointId: null }],
      plan: {
        step: 'test',
        failureType: 'test_failure',
        strategies: ['RETRY', 'RESUME', 'MANUAL'],
        current: 1,
      },
    });
    expect(p).toContain('~~RETRY~~ → **RESUME** ← → MANUAL');
  });
});

describe('metric catalogue', () => {
  it('keeps labels bounded: enums stay closed, free text becomes "other"', () => {
    expect(boundedLabel('reason', 'TEST_FAILURE')).toBe('TEST_FAILURE');
    expect(boundedLabel('reason', 'because Bob said so')).toBe('other');
    expect(boundedLabel('module_id', 'my-lib.v2')).toBe('my-lib.v2');
    expect(boundedLabel('module_id', 'x'.repeat(65))).toBe('other');
    expect(boundedLabel('action_type', 'rm -rf /')).toBe('other');
  });

  it('maps every pipeline failure type onto the shared revert reasons', () => {
    for (const t of FAILURE_TYPES) expect(REVERT_REASONS).toContain(pipelineRevertReason(t));
  });

  it('uses the names dashboards and alerts call, with buckets for every histogram', () => {
    for (const name of [
      'ratchet_version_checkpoints_total',
      'ratchet_version_rollbacks_total',
      'ratchet_version_breaking_changes_total',
      'ratchet_version_pending_approvals',
      'ratchet_version_lineage_depth',
      'ratchet_cycle_iterations_total',
      'ratchet_cycle_time_to_verdict_seconds',
      'ratchet_judge_effect',
      'ratchet_cycles_needing_attention',
      'ratchet_saga_operations_total',
      'ratchet_saga_compensations_total',
      'ratchet_saga_cleanup_completeness',
      'ratchet_saga_compensation_duration_seconds',
      'ratchet_pipeline_failures_total',
      'ratchet_pipeline_recoveries_total',
    ])
      expect(Object.keys(METRICS)).toContain(name);
    expect(METRICS.ratchet_version_rollbacks_total.labels).toEqual(['module_id', 'reason']);
    const buckets = histogramBuckets();
    for (const [name, spec] of Object.entries(METRICS))
      if (spec.kind === 'histogram') {
        expect(buckets[name]).toBeDefined();
        expect(exportedSeriesNames().has(`${name}_bucket`)).toBe(true);
      }
  });
});

describe('lineageDepth', () => {
  const v = (version: string, parentVersion: string | null) =>
    ({ version, parentVersion }) as VersionRecord;
  it('is the longest parent chain, and survives a cycle or a missing parent', () => {
    expect(lineageDepth([])).toBe(0);
    expect(lineageDepth([v('v1', null), v('v2', 'v1'), v('v3', 'v2'), v('v4', 'v1')])).toBe(3);
    expect(lineageDepth([v('v1', 'v2'), v('v2', 'v1')])).toBe(2);
    expect(lineageDepth([v('v5', 'v4')])).toBe(1);
  });
});

describe('startProgress', () => {
  const fake = (isTTY: boolean) => {
    const out: string[] = [];
    return { out, stream: { isTTY, write: (s: string) => out.push(s) > 0 } };
  };

  it('prints plain lines, once per change, when not on a terminal or with --json', () => {
    for (const [isTTY, json] of [
      [false, false],
      [true, true],
    ] as const) {
      const { out, stream } = fake(isTTY);
      const p = startProgress('pipeline ci', { stream, json });
      p.step('step build');
      p.step('step build');
      p.step('step test');
      p.done('done');
      p.step('late');
      expect(out).toEqual(['pipeline ci: step build\n', 'pipeline ci: step test\n', 'done\n']);
    }
  });

  it('redraws one line in place on a terminal and clears it at the end', () => {
    const { out, stream } = fake(true);
    const p = startProgress('pipeline ci', { stream });
    p.step('step build');
    p.done();
    expect(out[0]?.startsWith('\r\x1b[2K')).toBe(true);
    expect(out[0]).toMatch(/. pipeline ci: step build$/);
    expect(out[out.length - 1]).toBe('\r\x1b[2K');
    expect(out.join('')).not.toContain('\n');
  });
});

describe('cycleDetails', () => {
  it('shows the active version, iteration, step and the last verdict table', () => {
    const md = cycleDetails({
      moduleId: 'mylib',
      state: 'running',
      activeVersion: 'v3',
      iteration: 4,
      iterations: 10,
      step: 'evaluate',
      lastVerdict: {
        decision: 'rolled_back',
        score: 42.123,
        rows: [
          {
            metric: 'latency_ms',
            baseline: 10,
            candidate: 12.5,
            effect: 0.25,
            interval: [0.2, 0.3],
            pValue: 0.0012,
            verdict: 'regression',
          },
          {
            metric: 'x',
            baseline: null,
            candidate: null,
            effect: null,
            pValue: null,
            verdict: 'n/a',
          },
        ],
      },
    });
    expect(md).toContain('**active:** v3 · **iteration:** 4/10 · **step:** evaluate');
    expect(md).toContain('**last verdict:** rolled_back (score 42.1)');
    expect(md).toContain('| latency_ms | 10 | 12.5 | +25 % | [20, 30] % | 0.0012 | regression |');
    expect(md).toContain('| x | — | — | — | — | — | n/a |');
  });
});

describe('progressLines', () => {
  it('turns "  …" ticks into one spinner line on a terminal and prints the rest', () => {
    const out: string[] = [];
    const show = progressLines('building', { isTTY: true, write: (s: string) => out.push(s) > 0 });
    show('Building Temporal CLI…');
    show('  …still building the Temporal CLI (20s)');
    show('Temporal CLI built in 40s');
    expect(out[0]).toBe('Building Temporal CLI…\n');
    expect(out.some((l) => l.includes('building: still building the Temporal CLI (20s)'))).toBe(
      true,
    );
    expect(out[out.length - 1]).toBe('Temporal CLI built in 40s\n');
    expect(out.filter((l) => l.endsWith('\n'))).toHaveLength(2);
  });

  it('prints every line off a terminal', () => {
    const out: string[] = [];
    const show = progressLines('building', { isTTY: false, write: (s: string) => out.push(s) > 0 });
    show('a');
    show('  …b');
    expect(out).toEqual(['a\n', '  …b\n']);
  });
});

describe('revertReasonOf', () => {
  it('maps candidate-failure codes and messages onto the closed enum', () => {
    expect(revertReasonOf('tests_failed: 2 failing')).toBe('TEST_FAILURE');
    expect(revertReasonOf('tests failed')).toBe('TEST_FAILURE');
    expect(revertReasonOf('manual: the operator said so')).toBe('MANUAL');
    expect(revertReasonOf('breaking_change')).toBe('BREAKING');
    expect(revertReasonOf('critical_regression: latency +40 %')).toBe('REGRESSION');
    expect(revertReasonOf('approval_timed_out')).toBe('TIMEOUT');
    expect(revertReasonOf('HEALTH_FAILURE')).toBe('HEALTH_FAILURE');
    expect(revertReasonOf('cascading rollback')).toBe('VERIFICATION_FAILURE');
    for (const hostile of ['', null, undefined, '💥'.repeat(1000), 'x'.repeat(10_000)])
      expect(REVERT_REASONS).toContain(revertReasonOf(hostile));
  });
});
