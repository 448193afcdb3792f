/**
 * The integration examples (seed 002's "GitHub Actions with recovery" and
 * "Pre-commit with checkpoint") stay valid: the workflow parses as YAML with
 * a GitHub Actions shape, the hook passes `sh -n` and `bash -n`, the pipeline
 * file they run loads, and every `ratchet` call in them names a verb and
 * flags the CLI really has — so the examples cannot drift from the CLI.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { loadPipelineFile } from '../../activities/pipelines/load';
import { buildFullProgram } from '../../client/cli';
import { allRegistrations } from '../../client/commands';

const DIR = path.join(__dirname, '..', '..', 'examples', 'integrations');
const read = (f: string) => readFileSync(path.join(DIR, f), 'utf8');

/** Every `ratchet …` command line in a script (backslash continuations joined). */
function ratchetCalls(script: string): string[][] {
  return script
    .replace(/\\\n\s*/g, ' ')
    .split('\n')
    .flatMap((line) => [...line.matchAll(/\bratchet\s+([^|&;>`$)]*)/g)])
    .map((m) =>
      [...m[1]!.matchAll(/"[^"]*"|'[^']*'|\S+/g)].map((t) => t[0].replace(/^["']|["']$/g, '')),
    );
}

/** Problems with one call: unknown verbs or flags. */
function checkCall(program: Command, tokens: string[]): string[] {
  let cmd = program;
  let i = 0;
  while (i < tokens.length) {
    const sub = cmd.commands.find((c) => c.name() === tokens[i]);
    if (!sub) break;
    cmd = sub;
    i++;
  }
  if (cmd === program) return [`no verb in: ratchet ${tokens.join(' ')}`];
  if (cmd.commands.length) return [`"${cmd.name()}" needs a subcommand`];
  const flags = tokens.slice(i).filter((t) => t.startsWith('--'));
  const known = new Set(cmd.options.map((o) => o.long));
  return flags
    .map((f) => f.split('=')[0]!)
    .filter((f) => !known.has(f))
    .map((f) => `ratchet ${cmd.name()}: unknown flag ${f}`);
}

describe('integration examples', () => {
  const program = buildFullProgram(allRegistrations());

  it('the GitHub Actions workflow is YAML with a job, steps, and a recovery step on failure', () => {
    const doc = parseDocument(read('github-actions.yml'));
    expect(doc.errors).toEqual([]);
    const wf = doc.toJS() as {
      name: string;
      on: unknown;
      jobs: Record<string, { 'runs-on': string; steps: Array<Record<string, unknown>> }>;
    };
    expect(wf.name).toBeTruthy();
    expect(wf.on).toBeTruthy();
    const jobs = Object.values(wf.jobs);
    expect(jobs.length).toBeGreaterThan(0);
    for (const job of jobs) {
      expect(job['runs-on']).toBeTruthy();
      for (const step of job.steps) {
        // each step either uses an action or runs a script, never both or neither
        expect(['uses' in step, 'run' in step].filter(Boolean), JSON.stringify(step)).toHaveLength(
          1,
        );
      }
      expect(job.steps.some((s) => s.if === 'failure()')).toBe(true);
    }
    const scripts = jobs.flatMap((j) => j.steps.map((s) => s.run)).filter(Boolean) as string[];
    const calls = scripts.flatMap(ratchetCalls);
    expect(calls.length).toBeGreaterThanOrEqual(5);
    expect(calls.flatMap((c) => checkCall(program, c))).toEqual([]);
  });

  it('the pre-commit hook is an executable POSIX shell script that bash and sh both parse', () => {
    const file = path.join(DIR, 'pre-commit');
    expect(read('pre-commit').startsWith('#!/bin/sh\n')).toBe(true);
    expect(statSync(file).mode & 0o111).not.toBe(0);
    for (const shell of ['sh', 'bash']) {
      const res = spawnSync(shell, ['-n', file], { encoding: 'utf8' });
      expect(res.status, `${shell} -n: ${res.stderr}`).toBe(0);
    }
    const calls = ratchetCalls(read('pre-commit'));
    expect(calls.length).toBeGreaterThanOrEqual(2);
    expect(calls.flatMap((c) => checkCall(program, c))).toEqual([]);
  });

  it('the pipeline file they run loads', () => {
    const p = loadPipelineFile(path.join(DIR, 'ci-pipeline.yml'));
    expect(p.steps.map((s) => s.name)).toEqual(['install', 'lint', 'test', 'bench']);
  });

  it('the drift check itself catches a wrong flag or verb (adversary)', () => {
    expect(checkCall(program, ['checkpoint', 'create', '--step', '1'])).toEqual([
      'ratchet create: unknown flag --step',
    ]);
    expect(checkCall(program, ['rollback', 'now'])).toHaveLength(1);
    expect(checkCall(program, ['checkpoint'])).toEqual(['"checkpoint" needs a subcommand']);
  });
});
