/**
 * Pipelines on the real server with real commands and files: retried,
 * resumed from a checkpoint without rerunning earlier steps (their side
 * effects prove it), optional steps skipped, a MANUAL step parked until an
 * operator retries after fixing the workspace.
 */
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { pipelineSuite } from './fixture';

describe('pipelineRun', () => {
  const { setup, run, parked, act } = pipelineSuite('pipelines', 'ratchet-pipe');

  it('retries a step that fails transiently and completes', async () => {
    const s = setup('transient');
    const result = await run(
      `name: transient
steps:
  - { name: one, run: "${s.count('one')}" }
  - { name: two, run: "${s.count('two')}" }
  - { name: three, kind: test, run: "${s.count('three')}; test $(wc -l < ${s.counters}/three) -ge 2" }
`,
      s.workspace,
    );
    expect(result.status).toBe('completed');
    expect(result.steps.map((x) => [x.name, x.status, x.attempts])).toEqual([
      ['one', 'completed', 1],
      ['two', 'completed', 1],
      ['three', 'completed', 2],
    ]);
    expect(result.failures).toEqual([
      expect.objectContaining({ step: 'three', failureType: 'test_failure', strategy: 'RETRY' }),
    ]);
    expect(s.runs('one')).toBe(1);
  });

  it('waits and retries a network error, then resumes from the checkpoint after step two, without rerunning steps one and two', async () => {
    const s = setup('network');
    const result = await run(
      `name: network
networkWaitSec: 0
steps:
  - { name: one, run: "${s.count('one')}; echo built > build.txt" }
  - { name: two, run: "${s.count('two')}" }
  - name: three
    run: >-
      ${s.count('three')};
      if [ $(wc -l < ${s.counters}/three) -lt 2 ]; then echo junk > half-written.tmp; echo "connect ECONNREFUSED 127.0.0.1:5432" >&2; exit 1; fi;
      test -f build.txt && test ! -f half-written.tmp
`,
      s.workspace,
    );
    expect(result.status).toBe('completed');
    // The wait-and-retry finds the half-written file still there; the resume's restore removes it.
    expect(result.failures).toEqual([
      expect.objectContaining({
        step: 'three',
        failureType: 'network_error',
        strategy: 'WAIT_RETRY',
      }),
      // The rerun failed on the leftover file (no network message): the network plan goes on.
      expect.objectContaining({ step: 'three', failureType: 'unknown', strategy: 'RESUME' }),
    ]);
    expect([s.runs('one'), s.runs('two'), s.runs('three')]).toEqual([1, 1, 3]);
    expect(result.resumes).toEqual([expect.objectContaining({ step: 'three', stepsNotRerun: 2 })]);
    expect(existsSync(path.join(s.workspace, 'half-written.tmp'))).toBe(false); // the restore removed it
  });

  it('skips an optional step that fails', async () => {
    const s = setup('optional');
    const result = await run(
      `name: optional
steps:
  - { name: lint, kind: quality_gate, optional: true, run: "exit 3" }
  - { name: build, run: "${s.count('build')}" }
`,
      s.workspace,
    );
    expect(result.status).toBe('completed');
    expect(result.steps.map((x) => x.status)).toEqual(['skipped', 'completed']);
    expect(result.failures[0]).toMatchObject({
      failureType: 'quality_gate_failure',
      strategy: 'SKIP',
    });
  });

  it('parks a required step with plan MANUAL until an operator retries after fixing the workspace', async () => {
    const s = setup('manual');
    const result = await run(
      `name: manual
recovery:
  test_failure: [MANUAL]
steps:
  - { name: prepare, run: "${s.count('prepare')}" }
  - { name: check, kind: test, run: "test -f fixed.txt" }
`,
      s.workspace,
      {
        during: async (id) => {
          await parked(id);
          await expect(act(id, 'retry').then(() => 'sent')).resolves.toBe('sent');
          await parked(id);
          writeFileSync(path.join(s.workspace, 'fixed.txt'), 'fixed by a person\n');
          await act(id, 'retry');
        },
      },
    );
    expect(result.status).toBe('completed');
    expect(result.steps[1]).toMatchObject({ name: 'check', status: 'completed', attempts: 3 });
    expect(s.runs('prepare')).toBe(1);
  });

  it('blocks a resume when state validation fails, with a report, and parks for an operator', async () => {
    const s = setup('blocked');
    const result = await run(
      `name: blocked
networkWaitSec: 0
criticalFiles: [config.json]
steps:
  - { name: one, run: "${s.count('one')}" }
  - { name: fetch, run: "echo 'getaddrinfo EAI_AGAIN registry.example' >&2; exit 1" }
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
    expect(result.failures.map((f) => [f.failureType, f.strategy])).toEqual([
      ['network_error', 'WAIT_RETRY'],
      ['network_error', 'RESUME'],
      ['network_error', 'MANUAL'],
    ]);
    expect(result.failures[2]!.message).toMatch(
      /state validation blocked the resume: critical file config.json: missing/,
    );
    expect(s.runs('one')).toBe(1);
  });

  it('rolls back to the start on a git error', async () => {
    const s = setup('giterr');
    const result = await run(
      `name: giterr
steps:
  - { name: touch, run: "echo new > created.txt" }
  - { name: git, run: "mkdir -p broken/.git && echo garbage > broken/.git/HEAD && git -C broken log" }
`,
      s.workspace,
    );
    expect(result.status).toBe('rolled_back');
    expect(result.failures[0]).toMatchObject({ failureType: 'git_error', strategy: 'ROLLBACK' });
    expect(existsSync(path.join(s.workspace, 'created.txt'))).toBe(false);
    expect(existsSync(path.join(s.workspace, 'app.txt'))).toBe(true);
  });
});
