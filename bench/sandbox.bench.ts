/**
 * What the sandbox costs per command: the same command run plainly (`sh -c`,
 * with the same scrubbed environment) and through the sandbox's spawn spec (cgroup
 * launcher, prlimit, bubblewrap), interleaved so both see the same machine
 * load; medians and the ratio, for a command that does nothing, a Node start,
 * and a small `node --test` suite like a candidate's test command.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DEFAULT_SANDBOX_SETTINGS, sandboxEnv } from '../domain/sandbox';
import {
  describeSandbox,
  detectSandbox,
  prepareSandboxedCommand,
} from '../activities/infra/sandbox';
import { ratioLine } from './support';

const RUNS = 15;

async function main(): Promise<void> {
  const { execa } = await import('execa');
  const host = await detectSandbox();
  console.log(`sandbox: ${describeSandbox(host).detail}`);
  const ws = mkdtempSync(path.join(tmpdir(), 'ratchet-bench-sandbox-'));
  writeFileSync(
    path.join(ws, 'sum.test.js'),
    "const test = require('node:test'); const assert = require('node:assert');\n" +
      'for (let i = 0; i < 20; i++) test(`sum ${i}`, () => assert.equal(i + i, 2 * i));\n',
  );
  const commands = [
    ['nothing (true)', 'true'],
    ['node start', `node -e ''`],
    ['node --test, 20 tests', 'node --test sum.test.js'],
  ] as const;

  // The same environment the sandbox passes, so the ratio is the isolation's cost alone
  // (the worker's own environment can change a command's speed: NODE_EXTRA_CA_CERTS, NODE_OPTIONS).
  const scrubbed = sandboxEnv({ source: process.env, named: [], home: ws, tmp: tmpdir() });
  const plain = async (command: string) => {
    const t0 = performance.now();
    const r = await execa('sh', ['-c', command], {
      cwd: ws,
      env: scrubbed,
      extendEnv: false,
      detached: true,
      reject: false,
    });
    if (r.exitCode !== 0) throw new Error(`plain ${command}: exit ${r.exitCode}: ${r.stderr}`);
    return performance.now() - t0;
  };
  const sandboxed = async (command: string) => {
    const t0 = performance.now();
    const p = await prepareSandboxedCommand({
      command,
      workspace: ws,
      settings: DEFAULT_SANDBOX_SETTINGS,
      hide: [],
    });
    const r = await execa(p.file, p.args, {
      cwd: p.cwd,
      env: p.env,
      extendEnv: false,
      detached: true,
      reject: false,
    });
    await p.finish();
    if (r.exitCode !== 0) throw new Error(`sandboxed ${command}: exit ${r.exitCode}: ${r.stderr}`);
    return performance.now() - t0;
  };
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

  try {
    for (const [label, command] of commands) {
      const a: number[] = [];
      const b: number[] = [];
      await sandboxed(command); // warm caches for both
      await plain(command);
      for (let i = 0; i < RUNS; i++) {
        b.push(await sandboxed(command));
        a.push(await plain(command));
      }
      const extra = median(b) - median(a);
      console.log(
        `${ratioLine(`${label}, ms sandboxed vs plain`, median(b), median(a))}  (+${extra.toFixed(1)} ms per command)`,
      );
    }
  } finally {
    rmSync(ws, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
