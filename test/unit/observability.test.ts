/** Pure parts of observability: activity summaries, current-details Markdown, bounded labels. */
import { describe, expect, it } from 'vitest';
import { activitySummary } from '../../domain/activitySummaries';
import { markdownTable, pipelineDetails, sagaDetails } from '../../domain/currentDetails';
import { lineageDepth } from '../../domain/lineage';
import {
  boundedLabel,
  exportedSeriesNames,
  histogramBuckets,
  METRICS,
  pipelineRevertReason,
  REVERT_REASONS,
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
