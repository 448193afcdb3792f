/**
 * The package as a user gets it: `npm pack`, the tarball installed into a fresh
 * project outside the repo, and from there a strict type-check of a workflow
 * that uses `ratchet/saga` (declarations must be real types), that workflow run
 * on the test server by a worker from `ratchet/worker` (beside ratchet's own
 * workflows), and an evolution cycle started and approved through
 * `ratchet/client`. Offline: the tarball's dependencies are linked from this
 * repo's node_modules (only the ones ratchet declares, so an undeclared import
 * fails here), no registry involved.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTestEnv, type TestEnv } from '../helpers';
import {
  BASE_FILES,
  baseConfig,
  CHANGES,
  writeFiles,
  writeMutator,
} from '../support/evolutionFixture';

const ROOT = path.join(__dirname, '..', '..');
const PROJECT = path.join(ROOT, 'test', 'fixtures', 'package-project');
const npm = (args: string[], cwd: string) =>
  execFileSync('npm', [...args, '--no-audit', '--no-fund'], { cwd, encoding: 'utf8' });

describe('the packed package, installed into a fresh project', () => {
  let env: TestEnv;
  let project: string;

  beforeAll(async () => {
    env = await createTestEnv();
    const packs = env.tempDir('ratchet-pack-');
    const [packed] = JSON.parse(npm(['pack', '--json', '--pack-destination', packs], ROOT)) as {
      filename: string;
      files: Array<{ path: string }>;
    }[];
    const files = packed!.files.map((f) => f.path);
    // Compiled code and declarations ship; the TypeScript sources and tests do not.
    expect(files).toEqual(expect.arrayContaining(['dist/lib/saga.js', 'dist/lib/saga.d.ts']));
    expect(files.filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))).toEqual([]);
    expect(files.filter((f) => f.startsWith('test/'))).toEqual([]);

    project = env.tempDir('ratchet-user-');
    const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
    };
    const link = (name: string) => `file:${path.join(ROOT, 'node_modules', name)}`;
    const dependencies: Record<string, string> = {
      ratchet: `file:${path.join(packs, packed!.filename)}`,
    };
    for (const name of Object.keys(pkg.dependencies)) dependencies[name] = link(name);
    writeFileSync(
      path.join(project, 'package.json'),
      JSON.stringify({
        name: 'user-app',
        private: true,
        dependencies,
        devDependencies: { '@types/node': link('@types/node') },
      }),
    );
    cpSync(PROJECT, project, { recursive: true });
    // --install-links=false: file: directories become symlinks; scripts off as for any dependency.
    npm(['install', '--offline', '--install-links=false', '--ignore-scripts'], project);
  });

  afterAll(async () => {
    await env?.teardown();
  });

  it('type-checks and compiles a workflow that uses ratchet/saga', () => {
    const tsc = path.join(project, 'node_modules', 'typescript', 'bin', 'tsc');
    execFileSync(process.execPath, [tsc, '-p', project], { cwd: project, encoding: 'utf8' });
    expect(readdirSync(path.join(project, 'build')).sort()).toEqual(
      expect.arrayContaining(['activities.js', 'main.js', 'types.js', 'workflows.js']),
    );
    // The installed bin runs the compiled CLI (no tsx, no sources in the package).
    const version = execFileSync(
      path.join(project, 'node_modules', '.bin', 'ratchet'),
      ['--version'],
      {
        encoding: 'utf8',
      },
    );
    expect(version.trim()).toBe(pkg().version);
  });

  it('runs the saga workflow on a worker from ratchet/worker and approves a cycle through ratchet/client', () => {
    const tripDir = env.tempDir('ratchet-trip-');
    const workspace = path.join(env.tempDir('ratchet-ws-'), 'lib');
    mkdirSync(workspace);
    writeFiles(workspace, BASE_FILES);
    // Beside the workspace: the sandbox shows candidates' commands that folder, not all of /tmp.
    const mutator = writeMutator(path.dirname(workspace), {
      1: { files: CHANGES.renameExport },
    });
    const configFile = path.join(env.tempDir('ratchet-cfg-'), 'cycle.json');
    writeFileSync(
      configFile,
      JSON.stringify(baseConfig(workspace, mutator, { requireApproval: true })),
    );
    const out = execFileSync(
      process.execPath,
      [
        path.join(project, 'build', 'main.js'),
        inject('temporalAddress'),
        env.tempDir('ratchet-data-'),
        tripDir,
        configFile,
      ],
      { cwd: project, encoding: 'utf8' },
    );
    // The SDK logs on stdout too; the program's report is its last line.
    const report = JSON.parse(out.trim().split('\n').pop()!) as {
      failed: {
        booked: string[];
        compensation: {
          status: string;
          compensations: Array<{ actionType: string; status: string }>;
        };
      };
      afterFailure: string[];
      booked: { booked: string[]; compensation: null };
      pending: { version: string; compatibility: string } | null;
      result: {
        state: string;
        finalVersion: string;
        iterations: Array<{ decision: string; reason: string }>;
      };
    };
    // The car was sold out: hotel then flight were cancelled (higher priority first), nothing left booked.
    expect(report.failed.booked).toEqual(['flight', 'hotel']);
    expect(report.failed.compensation.compensations.map((r) => [r.actionType, r.status])).toEqual([
      ['cancel_car', 'succeeded'],
      ['cancel_hotel', 'succeeded'],
      ['cancel_flight', 'succeeded'],
    ]);
    expect(report.afterFailure).toEqual([]);
    expect(report.booked).toEqual({ booked: ['flight', 'hotel', 'car'], compensation: null });
    expect(readdirSync(tripDir).sort()).toEqual(['car', 'flight', 'hotel']);
    expect(report.pending).toMatchObject({ version: 'v2', compatibility: 'BREAKING' });
    expect(report.result.iterations[0]).toMatchObject({
      decision: 'accepted',
      reason: 'approved by installed-package',
    });
    expect(report.result.finalVersion).toBe('v2');
    expect(readFileSync(path.join(workspace, 'index.js'), 'utf8')).toBe(
      CHANGES.renameExport['index.js'],
    );
  });
});

function pkg(): { version: string } {
  return JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string };
}
