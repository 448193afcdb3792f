/** Pipeline files, lanes, classification of real failures, and recovery plans. */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parsePipeline, PipelineFileError } from '../../activities/pipelines/load';
import { runCommand } from '../../activities/infra/commands';
import {
  classifyFailure,
  recoveryPlan,
  stepsForLane,
  type FailureEvidence,
} from '../../domain/pipeline';

async function evidenceOf(
  command: string,
  kind: FailureEvidence['kind'] = 'other',
  timeoutSec = 30,
): Promise<FailureEvidence> {
  const r = await runCommand({ command, cwd: tmpdir(), timeoutSec });
  return {
    timedOut: r.timedOut,
    exitCode: r.exitCode,
    signal: r.signal,
    output: `${r.stdout}\n${r.stderrTail}`,
    kind,
  };
}

describe('failure classification on real failures', () => {
  it('timeout: a sleeping command past its limit', async () => {
    expect(classifyFailure(await evidenceOf('sleep 5', 'test', 1))).toBe('timeout');
  });
  it('resource exhaustion: a command killed with SIGKILL', async () => {
    expect(classifyFailure(await evidenceOf('kill -9 $$'))).toBe('resource_exhaustion');
  });
  it('git error: a corrupted repository', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ratchet-gitcorrupt-'));
    execFileSync('git', ['init', '-q', dir]);
    writeFileSync(path.join(dir, '.git', 'HEAD'), 'garbage\n');
    writeFileSync(path.join(dir, 'f'), 'x');
    const ev = await evidenceOf(`cd ${dir} && git status`);
    expect(classifyFailure(ev)).toBe('git_error');
  });
  it('network error: a refused connection', async () => {
    const ev = await evidenceOf(
      `node -e "require('net').connect(1, '127.0.0.1').on('error', e => { console.error(e.message); process.exit(1) })"`,
    );
    expect(ev.output).toMatch(/ECONNREFUSED/);
    expect(classifyFailure(ev)).toBe('network_error');
  });
  it('test and gate failures by the step kind, else unknown', async () => {
    expect(classifyFailure(await evidenceOf('exit 1', 'test'))).toBe('test_failure');
    expect(classifyFailure(await evidenceOf('exit 1', 'quality_gate'))).toBe(
      'quality_gate_failure',
    );
    expect(classifyFailure(await evidenceOf('exit 1', 'build'))).toBe('unknown');
    expect(
      classifyFailure({
        timedOut: false,
        exitCode: 1,
        signal: null,
        output: 'write error: No space left on device',
        kind: 'build',
      }),
    ).toBe('resource_exhaustion');
  });
});

describe('recovery plans', () => {
  it('follows the seed per failure type, skips only optional steps, and honours overrides', () => {
    expect(recoveryPlan('network_error', 'standard').strategies).toEqual([
      'RESUME',
      'RETRY',
      'MANUAL',
    ]);
    expect(recoveryPlan('git_error', 'heavy').strategies).toEqual(['ROLLBACK', 'MANUAL']);
    expect(recoveryPlan('test_failure', 'docs', { optional: true }).strategies[0]).toBe('SKIP');
    expect(
      recoveryPlan('test_failure', 'docs', { overrides: { test_failure: ['SKIP', 'MANUAL'] } })
        .strategies,
    ).toEqual(['MANUAL']);
    expect(recoveryPlan('timeout', 'docs').retry.maximumAttempts).toBeLessThan(
      recoveryPlan('timeout', 'heavy').retry.maximumAttempts,
    );
  });
});

describe('pipeline files', () => {
  it('choose steps by lane and scale their timeouts', () => {
    const p = parsePipeline(`name: ci
steps:
  - { name: docs, run: "true", lanes: [docs, standard] }
  - { name: bench, run: "true", lanes: [heavy], timeout: 100 }
  - { name: test, run: "true", timeout: 100 }
`);
    expect(stepsForLane(p, 'docs').map((s) => [s.name, s.timeoutSec])).toEqual([
      ['docs', 300],
      ['test', 50],
    ]);
    expect(stepsForLane(p, 'heavy').map((s) => [s.name, s.timeoutSec])).toEqual([
      ['bench', 200],
      ['test', 200],
    ]);
  });

  it('name the line and field of every problem', () => {
    const bad = `name: ci
steps:
  - name: build
    run: make
  - name: test
    kind: testing
    run: ""
`;
    let error: PipelineFileError | undefined;
    try {
      parsePipeline(bad, 'ci.yml');
    } catch (err) {
      error = err as PipelineFileError;
    }
    expect(error).toBeInstanceOf(PipelineFileError);
    expect(error!.problems).toEqual([
      expect.stringMatching(/^line 6: steps\.1\.kind: /),
      expect.stringMatching(/^line 7: steps\.1\.run: a step needs a command to run/),
    ]);
    expect(() => parsePipeline('name: x\nsteps: [\n', 'y.yml')).toThrow(/line \d+/);
    expect(() => parsePipeline('{"name": "x", "steps": []}')).toThrow(
      /line 1: steps: a pipeline needs at least one step/,
    );
  });

  it('runs nothing from a bad file: the CLI refuses with exit 2', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ratchet-badpipe-'));
    mkdirSync(path.join(dir, 'ws'));
    writeFileSync(
      path.join(dir, 'p.yml'),
      `name: x\nsteps:\n  - { name: a, run: "touch ${dir}/ran" , timeout: -1 }\n`,
    );
    const res = spawnSync(
      process.execPath,
      [
        path.join(__dirname, '..', '..', 'bin', 'ratchet.js'),
        'pipeline',
        'run',
        path.join(dir, 'p.yml'),
        '--workspace',
        path.join(dir, 'ws'),
      ],
      {
        encoding: 'utf8',
        env: { ...process.env, TEMPORAL_ADDRESS: '127.0.0.1:1' },
      },
    );
    expect(res.status).toBe(2);
    expect(res.stderr).toMatch(/line 3: steps\.0\.timeout/);
  });
});
