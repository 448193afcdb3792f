/**
 * The rule: an iteration never fails, and never leaves the workspace changed,
 * because of what the candidate did. One cycle runs a candidate per way of
 * failing (real commands, real files), then a good one: every failure must
 * end in a verified rollback with its reason code, and the cycle goes on.
 *
 * Byte-identical restores are proven twice: each next iteration finds the
 * workspace equal to the active version (its checkpoint is reused, no
 * "changed outside ratchet" version appears), and the final tree is the base
 * plus the one accepted change.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { processesInDir } from '../../activities/infra/commands';
import { detectSandbox } from '../../activities/infra/sandbox';
import type { CandidateFailureReason } from '../../domain/evolution/failures';
import type { CycleResult } from '../../domain/evolution/results';
import { createTestEnv, type TestEnv } from '../helpers';
import { BASE_FILES, CHANGES, type ScriptedChange } from '../support/evolutionFixture';
import { readTree, runCycle, type CycleRun } from '../support/evolutionRun';

interface Case {
  title: string;
  change: ScriptedChange | null;
  decision: 'rolled_back' | 'rejected';
  code: CandidateFailureReason;
  /** Under bubblewrap, when that differs (the workspace is a mount point there: it cannot be removed). */
  sandboxedCode?: CandidateFailureReason;
}

const CASES: Case[] = [
  { title: 'the mutator crashes', change: null, decision: 'rejected', code: 'mutator_crashed' },
  {
    title: 'the mutator changes nothing',
    change: { files: {} },
    decision: 'rejected',
    code: 'mutator_no_change',
  },
  {
    title: 'the candidate replaces a directory with a file',
    change: { before: 'rm -rf test && echo x > test' },
    decision: 'rejected',
    code: 'edit_scope',
  },
  {
    title: 'the candidate deletes the workspace itself',
    change: { before: 'rm -rf "$PWD"' },
    decision: 'rejected',
    code: 'workspace_destroyed',
    sandboxedCode: 'mutator_crashed',
  },
  {
    title: "the candidate deletes the workspace's files",
    change: { before: 'rm -f index.js index.d.ts package.json' },
    decision: 'rolled_back',
    code: 'tests_failed',
  },
  {
    title: 'the benchmark crashes',
    change: { files: CHANGES.benchThrows },
    decision: 'rolled_back',
    code: 'metrics_crashed',
  },
  {
    title: 'the benchmark prints nothing',
    change: { files: CHANGES.metricsSilent },
    decision: 'rolled_back',
    code: 'metrics_empty',
  },
  {
    title: 'the benchmark prints something that is not JSON',
    change: { files: CHANGES.metricsGarbage },
    decision: 'rolled_back',
    code: 'metrics_invalid',
  },
  {
    title: 'the benchmark leaves out a metric that has a policy',
    change: { files: CHANGES.losesMetric },
    decision: 'rolled_back',
    code: 'metric_missing',
  },
  {
    title: 'a command rewrites the sources under test',
    change: { files: CHANGES.rewritesItself },
    decision: 'rolled_back',
    code: 'changed_during_evaluation',
  },
  {
    title: 'a command leaves a process behind',
    change: { files: CHANGES.leavesDaemon },
    decision: 'rolled_back',
    code: 'processes_left',
  },
];

describe('candidate failures never break the cycle', () => {
  let env: TestEnv;
  let run: CycleRun;
  let result: CycleResult;
  let sandboxed = false;
  beforeAll(async () => {
    env = await createTestEnv();
    sandboxed = (await detectSandbox()).bwrap !== null;
    const plan: Record<number, ScriptedChange> = {};
    CASES.forEach((c, i) => {
      if (c.change) plan[i + 1] = c.change;
    });
    plan[CASES.length + 1] = { files: CHANGES.faster };
    run = await runCycle({
      env,
      name: 'failures',
      plan,
      config: {
        iterations: CASES.length + 1,
        maxConsecutiveRejections: CASES.length + 1,
        policies: {
          pass_rate: {
            direction: 'higher_is_better',
            regressionThreshold: 0.05,
            criticalThreshold: 0.1,
          },
        },
      },
    });
    result = run.result;
  }, 170_000);
  afterAll(async () => env?.teardown());

  it.each(CASES.map((c, i) => [c.title, i + 1, c] as const))(
    'rolls back when %s, with its reason, and goes on',
    (_title, index, c) => {
      const record = result.iterations.find((r) => r.index === index);
      expect(record).toMatchObject({
        decision: c.decision,
        reasonCode: (sandboxed && c.sandboxedCode) || c.code,
        rollbackPerformed: true,
      });
      const trail = result.events.filter((e) => e.iteration === index).map((e) => e.type);
      expect(trail).toEqual(
        expect.arrayContaining([
          'ROLLBACK_INITIATED',
          'ROLLBACK_VERIFICATION_PASSED',
          'ROLLBACK_COMPLETED',
          'ITERATION_COMPLETED',
        ]),
      );
      // The next iteration found the workspace equal to the active version.
      const next = result.events.find(
        (e) => e.iteration === index + 1 && e.type === 'CHECKPOINT_CREATED',
      );
      expect(next?.data).toMatchObject({ version: 'v1', reused: true });
    },
  );

  it('accepts the good candidate after all of them, on top of an untouched base', () => {
    expect(result.state).toBe('completed');
    expect(result.iterations.map((r) => r.decision).at(-1)).toBe('accepted');
    expect(readTree(run.workspace)).toEqual({ ...BASE_FILES, ...CHANGES.faster });
    // Only the base and the candidates are versions: no "changed outside ratchet" checkpoint.
    const candidates = new Set(result.iterations.map((r) => r.version));
    expect(result.lineage.filter((v) => v.version !== 'v1' && !candidates.has(v.version))).toEqual(
      [],
    );
  });

  it('leaves no process running in the workspace', async () => {
    expect(await processesInDir(run.workspace)).toEqual([]);
  });
});
