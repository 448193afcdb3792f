/**
 * The CLI's cold start (issue 15). `ratchet --help` and `--version` print
 * commander's own answer, saved by the build, without loading commander; the
 * polled reads load neither the program nor the Temporal client, and `agent
 * list` not even the gRPC reader. Checked on the built CLI copied as a user
 * installs it (bin/ + dist/, no sources), spawned as scripts spawn it, with
 * NODE_DEBUG=module naming every module it loads.
 */
import { spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildFullProgram, STATIC_ARGS, staticAnswers } from '../client/cli';
import { ALL_COMMANDS } from './support/allCommands';

const ROOT = path.join(__dirname, '..');
const { distIsCurrent } = require('../bin/distState.js') as { distIsCurrent: () => boolean };
const { cacheFileOf } = require('../bin/codeCache.js') as {
  cacheFileOf: (file: string, use: string) => string;
};
const built = distIsCurrent();
if (!built) {
  console.warn(
    'cliColdStart: the built CLI is SKIPPED, dist/ is older than the sources (npm run build)',
  );
}

/** Runs the CLI at `root`; `loaded` lists the modules it required (NODE_DEBUG=module). */
function ratchet(root: string, args: string[], env: NodeJS.ProcessEnv = {}) {
  const res = spawnSync(process.execPath, [path.join(root, 'bin', 'ratchet.js'), ...args], {
    encoding: 'utf8',
    env: { ...process.env, NODE_DEBUG: 'module', ...env },
    timeout: 60_000,
    maxBuffer: 64 << 20, // an unknown verb loads every command module: a long trace
  });
  const loaded = [...res.stderr.matchAll(/Module\._load REQUEST (\S+)/g)].map((m) => m[1]!);
  const stderr = res.stderr.replace(/^MODULE \d+: .*\n/gm, '');
  return { code: res.status, stdout: res.stdout, stderr, loaded };
}

describe('saved answers', () => {
  it("are commander's own help and version, every verb listed, at 80 columns", async () => {
    const answers = await staticAnswers();
    expect(Object.keys(answers)).toEqual([...STATIC_ARGS]);
    const full = buildFullProgram(ALL_COMMANDS).configureOutput({
      getOutHelpWidth: () => 80,
      getOutHasColors: () => false,
    });
    for (const arg of ['--help', '-h', 'help']) expect(answers[arg]).toBe(full.helpInformation());
    const { version } = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
      version: string;
    };
    expect(answers['--version']).toBe(`${version}\n`);
    expect(answers['-V']).toBe(`${version}\n`);
  });
});

describe.skipIf(!built)('the built CLI, installed', () => {
  let install: string;
  let dataDir: string;
  let answers: Record<string, string>;

  beforeAll(async () => {
    install = mkdtempSync(path.join(tmpdir(), 'ratchet-coldstart-'));
    dataDir = path.join(install, 'data');
    for (const part of ['bin', 'dist', 'package.json']) {
      cpSync(path.join(ROOT, part), path.join(install, part), { recursive: true });
    }
    symlinkSync(path.join(ROOT, 'node_modules'), path.join(install, 'node_modules'), 'dir');
    const cli = path.join(install, 'dist', 'cli');
    for (const f of readdirSync(cli)) if (f.endsWith('.cache')) rmSync(path.join(cli, f));
    answers = await staticAnswers();
  });
  afterAll(() => {
    rmSync(install, { recursive: true, force: true });
    expect(existsSync(install)).toBe(false);
  });

  it('saved what the sources answer, and prints it without loading commander', () => {
    const saved = JSON.parse(readFileSync(path.join(ROOT, 'dist', 'cli', 'static.json'), 'utf8'));
    expect(saved).toEqual(answers);
    for (const arg of STATIC_ARGS) {
      const res = ratchet(install, [arg]);
      expect(res.code, arg).toBe(0);
      expect(res.stdout, arg).toBe(answers[arg]);
      expect(
        res.loaded.filter((m) => m.includes('commander')),
        arg,
      ).toEqual([]);
    }
  });

  it('lets commander answer when the saved answers are damaged, or the argument is not theirs', () => {
    const file = path.join(install, 'dist', 'cli', 'static.json');
    writeFileSync(file, '{"--help": ');
    const res = ratchet(install, ['--help']);
    expect(res.code).toBe(0);
    expect(res.stdout).toBe(answers['--help']);
    expect(res.loaded).toContain('commander');
    rmSync(file);
    expect(ratchet(install, ['-V']).stdout).toBe(answers['-V']);
    // Keys every object has are not saved answers: unknown verbs, exit 2.
    for (const verb of ['__proto__', 'toString', 'constructor']) {
      const other = ratchet(install, [verb]);
      expect(other.code, `${verb}: ${other.stderr}`).toBe(2);
      expect(other.stdout, verb).toBe('');
    }
  });

  it('lists agents without the program or the gRPC reader, and cycles without the Temporal client', () => {
    mkdirSync(dataDir, { recursive: true });
    const env = { RATCHET_DATA_DIR: dataDir, TEMPORAL_ADDRESS: inject('temporalAddress') };
    const agents = ratchet(install, ['agent', 'list', '--json'], env);
    expect(agents.code).toBe(0);
    expect(JSON.parse(agents.stdout)).toEqual([]);
    const heavy = ['commander', 'node:http2', '@temporalio/client', 'write-file-atomic'];
    expect(agents.loaded.filter((m) => heavy.some((h) => m.includes(h)))).toEqual([]);

    const cycles = ratchet(install, ['evolve', 'list', '--json'], env);
    expect(cycles.code).toBe(0);
    expect(Array.isArray(JSON.parse(cycles.stdout))).toBe(true);
    expect(cycles.loaded).toContain('node:http2');
    expect(cycles.loaded.filter((m) => /commander|@temporalio|protobufjs|zod/.test(m))).toEqual([]);
    // zod/mini, not classic zod, is inlined for the settings.
    const bundle = readFileSync(path.join(install, 'dist', 'cli', 'fastRead.js'), 'utf8');
    expect(bundle).toContain('ZodMiniObject');
    expect(bundle).not.toContain('"ZodObject"');
  });

  it('keeps a code cache per read, and answers the same when it is garbage or cut short', () => {
    const env = { RATCHET_DATA_DIR: dataDir, TEMPORAL_ADDRESS: inject('temporalAddress') };
    const cli = path.join(install, 'dist', 'cli');
    const first = ratchet(install, ['evolve', 'list', '--json'], env);
    expect(first.code).toBe(0);
    // The first run wrote it.
    const cache = cacheFileOf(path.join(cli, 'fastRead.js'), 'evolve-list');
    expect(existsSync(cache)).toBe(true);
    const good = readFileSync(cache);
    for (const bad of [Buffer.from('garbage'), good.subarray(0, good.length >> 1)]) {
      writeFileSync(cache, bad);
      const again = ratchet(install, ['evolve', 'list', '--json'], env);
      expect(again.code).toBe(0);
      expect(again.stdout).toBe(first.stdout);
      // Rejected, so written anew from this run.
      expect(readFileSync(cache).length).toBeGreaterThan(good.length / 2 + 1);
    }
    expect(readdirSync(cli).filter((f) => /\.cache\.\d+$/.test(f))).toEqual([]); // no temp files left
  });
});
