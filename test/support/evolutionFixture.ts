/**
 * A small real library for evolution tests: `node --test` tests, an entry
 * point with type declarations (so compatibility can be read), and a metrics
 * command whose timing samples scale with perf.json — deterministic, so the
 * judge is tested on known shifts rather than on this machine's noise.
 * Candidates come from a mutator script outside the workspace that applies
 * a scripted change per iteration.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { EvolutionConfigInput } from '../../domain/evolution/config';

export const BASE_FILES: Record<string, string> = {
  'package.json': JSON.stringify(
    { name: 'lib', version: '1.0.0', main: 'index.js', types: 'index.d.ts' },
    null,
    2,
  ),
  'index.js': 'exports.add = (a, b) => a + b;\nexports.mul = (a, b) => a * b;\n',
  'index.d.ts':
    'export declare function add(a: number, b: number): number;\nexport declare function mul(a: number, b: number): number;\n',
  'perf.json': '{ "factor": 1 }\n',
  'test/lib.test.js': [
    "const test = require('node:test');",
    "const assert = require('node:assert');",
    "const lib = require('..');",
    "test('add', () => assert.strictEqual((lib.add ?? lib.plus)(2, 3), 5));",
    "test('mul', () => assert.strictEqual(lib.mul(2, 3), 6));",
    '',
  ].join('\n'),
  // 20 samples around 100 ms × factor, with a fixed ±2 % pattern of noise. It exercises the
  // library on a long input, so a change to the library can make the benchmark throw.
  'measure.js': [
    "const { factor, omitPassRate, silent, garbage } = require('./perf.json');",
    "const lib = require('./index.js');",
    '(lib.add ?? lib.plus)(12345678901234, 1);',
    'const samples = Array.from({ length: 20 }, (_, i) => 100 * factor * (1 + (((i * 7) % 11) - 5) / 250));',
    "if (garbage) console.log('fast enough, I think');",
    'else if (!silent)',
    '  console.log(JSON.stringify(omitPassRate ? { execution_time: samples } : { execution_time: samples, pass_rate: 1 }));',
    '',
  ].join('\n'),
};

export function writeFiles(root: string, files: Record<string, string | null>): void {
  for (const [rel, content] of Object.entries(files)) {
    const abs = path.join(root, rel);
    if (content === null) continue;
    mkdirSync(path.dirname(abs), { recursive: true });
    writeFileSync(abs, content);
  }
}

/** Per iteration: files to write (null = delete), optional sleep before, exit code. */
export interface ScriptedChange {
  files?: Record<string, string | null>;
  sleepMs?: number;
  /** Run a shell command (e.g. corrupt something) before the change. */
  before?: string;
}

export function writeMutator(dir: string, plan: Record<number, ScriptedChange>): string {
  const script = path.join(dir, 'mutator.js');
  writeFileSync(path.join(dir, 'plan.json'), JSON.stringify(plan));
  writeFileSync(
    script,
    [
      "const fs = require('node:fs');",
      "const path = require('node:path');",
      "const { execSync } = require('node:child_process');",
      `const plan = require(${JSON.stringify(path.join(dir, 'plan.json'))});`,
      'const step = plan[process.env.RATCHET_ITERATION];',
      "if (!step) { console.error('no change planned'); process.exit(3); }",
      "if (step.before) execSync(step.before, { stdio: 'inherit' });",
      'if (step.sleepMs) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, step.sleepMs);',
      'for (const [rel, content] of Object.entries(step.files ?? {})) {',
      '  if (content === null) fs.rmSync(rel, { force: true });',
      '  else { fs.mkdirSync(path.dirname(rel), { recursive: true }); fs.writeFileSync(rel, content); }',
      '}',
      '',
    ].join('\n'),
  );
  return `node ${JSON.stringify(script)}`;
}

export function baseConfig(
  workspace: string,
  mutator: string,
  overrides: Partial<EvolutionConfigInput> = {},
): EvolutionConfigInput {
  return {
    moduleId: path.basename(workspace),
    workspace,
    candidate: { kind: 'mutator', command: mutator },
    evaluation: { test: 'node --test', metrics: 'node measure.js', commandTimeoutSec: 60 },
    iterations: 1,
    // The fixture's samples are deterministic: 4 same-window rounds settle a pass, a
    // regression takes the sequential rounds it needs (8 at α = 0.01), halving the suite's cost.
    judge: { rounds: 4 },
    editScope: { forbidden: ['.git/**', 'test/**', 'measure.js'] },
    // Tests keep the mutator's scripts beside the workspace, under the /tmp the sandbox replaces.
    expose: [path.dirname(workspace)],
    ...overrides,
  };
}

/** Changes a mutator can script. */
export const CHANGES = {
  faster: { 'perf.json': '{ "factor": 0.8 }\n' },
  slower12: { 'perf.json': '{ "factor": 1.12 }\n' },
  slower50: { 'perf.json': '{ "factor": 1.5 }\n' },
  bug: { 'index.js': 'exports.add = (a, b) => a - b;\nexports.mul = (a, b) => a * b;\n' },
  addExport: {
    'index.js': BASE_FILES['index.js'] + 'exports.sub = (a, b) => a - b;\n',
    'index.d.ts':
      BASE_FILES['index.d.ts'] + 'export declare function sub(a: number, b: number): number;\n',
  },
  renameExport: {
    'index.js': 'exports.plus = (a, b) => a + b;\nexports.mul = (a, b) => a * b;\n',
    'index.d.ts':
      'export declare function plus(a: number, b: number): number;\nexport declare function mul(a: number, b: number): number;\n',
  },
  /** The metrics command stops reporting pass_rate: half the metrics have no data. */
  losesMetric: { 'perf.json': '{ "factor": 1, "omitPassRate": true }\n' },
  touchTests: { 'test/lib.test.js': "require('node:test')('nothing', () => {});\n" },
  /** Tests stay green; the benchmark (which adds long numbers) throws. */
  benchThrows: {
    'index.js':
      "exports.add = (a, b) => { if (String(a).length > 10) throw new Error('input too long'); return a + b; };\nexports.mul = (a, b) => a * b;\n",
  },
  /** A test spins forever (the benchmark never calls mul). */
  hangs: { 'index.js': 'exports.add = (a, b) => a + b;\nexports.mul = (a, b) => { for (;;); };\n' },
  metricsSilent: { 'perf.json': '{ "factor": 0.8, "silent": true }\n' },
  metricsGarbage: { 'perf.json': '{ "factor": 0.8, "garbage": true }\n' },
  /** Loading the library rewrites it: what was tested is not what was proposed. */
  rewritesItself: {
    'index.js':
      "exports.add = (a, b) => a + b;\nexports.mul = (a, b) => a * b;\nrequire('fs').appendFileSync(__filename, '// touched\\n');\n",
  },
  /** Loading the library starts a daemon in its own session, escaping the process group. */
  leavesDaemon: {
    'index.js':
      "exports.add = (a, b) => a + b;\nexports.mul = (a, b) => a * b;\nrequire('child_process').spawn('sleep', ['300'], { detached: true, stdio: 'ignore' }).unref();\n",
  },
} satisfies Record<string, Record<string, string>>;
