/**
 * The guide's per-failure plans, lane budgets and partial runs, on the real
 * server with real commands, files and git repositories: a network error
 * waits then retries; a resource gate parks when memory or disk is short; a
 * timeout escalates to a heavier lane (the step sees RATCHET_LANE); a corrupt
 * git index is reset to the checkpoint's commit; a quality gate runs its
 * auto-fix; a run out of budget stops; `fromStep` / `fromCheckpoint` start
 * part way without rerunning what came before.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { WorkflowFailedError } from '@temporalio/client';
import { describe, expect, it } from 'vitest';
import { pipelineSuite } from './fixture';

describe('pipeline recovery plans', () => {
  const { setup, run, parked, act } = pipelineSuite('pipeline-recovery', 'ratchet-piperec');

  it('waits networkWaitSec after a network error, then retries the step', async () => {
    const s = setup('wait');
    const result = await run(
      `name: wait
networkWaitSec: 1
steps:
  - name: fetch
    run: "${s.count('fetch')}; ${s.fromRun('fetch', 2)} || { echo 'connect ECONNREFUSED 10.0.0.1:443' >&2; exit 1; }"
`,
      s.workspace,
    );
    expect(result.status).toBe('completed');
    expect(result.failures.map((f) => [f.failureType, f.strategy])).toEqual([
      ['network_error', 'WAIT_RETRY'],
    ]);
    expect(result.actions).toEqual([
      expect.objectContaining({ strategy: 'WAIT_RETRY', ok: true, detail: 'waited 1s' }),
    ]);
    expect(s.runs('fetch')).toBe(2);
  });

  it('checks free memory and disk before retrying a resource failure, and parks when they are short', async () => {
    const s = setup('resources');
    const result = await run(
      `name: resources
minFreeDiskMb: 1000000000
steps:
  - { name: big, run: "${s.count('big')}; echo 'No space left on device' >&2; exit 1" }
`,
      s.workspace,
      {
        during: async (id) => {
          await parked(id);
          await act(id, 'abort');
        },
      },
    );
    expect(result.status).toBe('aborted');
    expect(result.actions).toEqual([
      expect.objectContaining({
        strategy: 'CHECK_RESOURCES',
        ok: false,
        detail: expect.stringMatching(/disk \d+ MB free < 1000000000 MB/),
      }),
    ]);
    expect(result.failures.at(-1)).toMatchObject({
      strategy: 'MANUAL',
      message: expect.stringMatching(/not enough resources/),
    });
    expect(s.runs('big')).toBe(1); // not retried into a full disk
  });

  it('escalates a step that keeps timing out to the next heavier lane', async () => {
    const s = setup('escalate');
    const result = await run(
      `name: escalate
minFreeMemoryMb: 0
minFreeDiskMb: 0
steps:
  - name: slow
    timeout: 2
    run: "${s.count('slow')}; [ \\"$RATCHET_LANE\\" = standard ] || exec sleep 30"
`,
      s.workspace,
      { lane: 'docs' },
    );
    expect(result.status).toBe('completed');
    // timeout → resources ok → resume (times out again) → standard lane
    expect(result.failures.map((f) => [f.failureType, f.strategy])).toEqual([
      ['timeout', 'RESUME'],
      ['timeout', 'ESCALATE_LANE'],
    ]);
    expect(result.escalations).toEqual([{ step: 'slow', from: 'docs', to: 'standard' }]);
    expect(result.currentLane).toBe('standard');
    expect(s.runs('slow')).toBe(3);
  });

  it('resets a git error to the last good checkpoint commit, then reruns the step', async () => {
    const s = setup('gitreset');
    const git = (...args: string[]) =>
      execFileSync('git', ['-C', s.workspace, ...args], { encoding: 'utf8' }).trim();
    git('init', '-q');
    git('-c', 'user.email=t@t', '-c', 'user.name=t', 'add', '-A');
    git('-c', 'user.email=t@t', '-c', 'user.name=t', 'commit', '-qm', 'init');
    const head = git('rev-parse', 'HEAD');
    const result = await run(
      `name: gitreset
steps:
  - name: status
    run: "${s.count('status')}; ${s.fromRun('status', 2)} || echo garbage > .git/index; echo stray > stray.txt; git status --porcelain"
`,
      s.workspace,
    );
    expect(result.status).toBe('completed');
    expect(result.failures.map((f) => [f.failureType, f.strategy])).toEqual([
      ['git_error', 'GIT_RESET'],
    ]);
    expect(result.actions[0]).toMatchObject({
      strategy: 'GIT_RESET',
      ok: true,
      detail: expect.stringMatching(/removed a corrupt index; reset --hard/),
    });
    expect(git('rev-parse', 'HEAD')).toBe(head);
    expect(git('status', '--porcelain')).toBe('?? stray.txt'); // the rerun's, after a readable reset
    expect(s.runs('status')).toBe(2);
  });

  it("runs a quality gate's autoFix before retrying it", async () => {
    const s = setup('autofix');
    const result = await run(
      `name: autofix
steps:
  - { name: lint, kind: quality_gate, run: "${s.count('lint')}; test -f formatted.txt", autoFix: "touch formatted.txt" }
`,
      s.workspace,
    );
    expect(result.status).toBe('completed');
    expect(result.failures.map((f) => f.strategy)).toEqual(['AUTO_FIX']);
    expect(result.actions).toEqual([
      expect.objectContaining({
        strategy: 'AUTO_FIX',
        ok: true,
        detail: 'touch formatted.txt: ok',
      }),
    ]);
    expect(s.runs('lint')).toBe(2);
  });

  it('stops a run that is out of its lane budget, at its last good checkpoint', async () => {
    const s = setup('budget');
    const result = await run(
      // No ESCALATE_LANE: that would give the run the heavier lane's (larger) budget.
      `name: budget
laneBudgetSec: { standard: 3 }
recovery: { timeout: [RETRY, MANUAL] }
steps:
  - { name: long, run: "${s.count('long')}; exec sleep 30" }
  - { name: after, run: "${s.count('after')}" }
`,
      s.workspace,
    );
    expect(result.status, JSON.stringify(result)).toBe('budget_exceeded');
    expect(result.budget).toMatchObject({ lane: 'standard', limitSec: 3, exceeded: true });
    // However far the first step got before the budget ran out, nothing after it ran.
    expect(result.steps[1]!.status).toBe('not_run');
    expect(
      result.status === 'budget_exceeded' && result.failures.every((f) => f.strategy !== 'MANUAL'),
    ).toBe(true);
    expect(s.runs('after')).toBe(0);
    expect(result.lastCheckpointId).toMatch(/^budget@v\d+$/);
  });

  it('starts from a step, or from a checkpoint without rerunning the steps before it', async () => {
    const s = setup('partial');
    const yaml = `name: partial
recovery: { test_failure: [MANUAL] }
steps:
  - { name: one, run: "${s.count('one')}; echo one > one.txt" }
  - { name: two, kind: test, run: "${s.count('two')}; test -f ${s.counters}/go" }
  - { name: three, run: "${s.count('three')}" }
`;
    const fromStep = await run(yaml.replace('test -f', 'true ||'), s.workspace, {
      fromStep: 'two',
    });
    expect(fromStep.status).toBe('completed');
    expect(fromStep.startedFrom).toEqual({ step: 'two', checkpointId: null });
    expect([s.runs('one'), s.runs('two'), s.runs('three')]).toEqual([0, 1, 1]);

    const first = await run(yaml, s.workspace, {
      during: async (id) => {
        await parked(id);
        await act(id, 'abort');
      },
    });
    expect(first.status).toBe('aborted');
    const afterOne = first.steps[0]!.checkpointId!;
    expect(first.lastCheckpointId).toBe(afterOne);
    writeFileSync(path.join(s.workspace, 'half-done.tmp'), 'x');
    writeFileSync(path.join(s.counters, 'go'), '');
    const resumed = await run(yaml, s.workspace, { fromCheckpoint: afterOne });
    expect(resumed.status).toBe('completed');
    expect(resumed.startedFrom).toEqual({ step: 'two', checkpointId: afterOne });
    expect([s.runs('one'), s.runs('two'), s.runs('three')]).toEqual([1, 3, 2]);
    expect(existsSync(path.join(s.workspace, 'half-done.tmp'))).toBe(false);
    expect(readFileSync(path.join(s.workspace, 'one.txt'), 'utf8')).toBe('one\n');

    // Adversary: a checkpoint that does not exist is refused with a typed error, nothing run.
    const err = await run(yaml, s.workspace, { fromCheckpoint: 'partial@v999' }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(WorkflowFailedError);
    expect((err as WorkflowFailedError).cause).toMatchObject({ type: 'InvalidPipelineStart' });
    expect(s.runs('two')).toBe(3);
  });
});
