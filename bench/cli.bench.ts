/**
 * CLI cold start: each `ratchet` command a user polls, run as a fresh process
 * (as a shell or script runs it), beside the Temporal CLI doing the same
 * against the same server — `temporal workflow list` for the lists,
 * `temporal workflow describe` for a status. Median wall times and the ratio
 * (goal ≤ 3×); runs of the two alternate, after one unmeasured run each (the
 * first run after a build writes the read path's code cache). The cycle being
 * described waits for approval, so its status query is answered by a live
 * worker. Node's own start (`node -e 0`) is printed as the floor. When
 * NODE_EXTRA_CA_CERTS is set, Node 20 parses every CA certificate at start
 * (nodejs/node#40524; ~45 ms on the dev box) and the Temporal CLI, in Go, does
 * not: a second table shows both commands without it.
 */
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import path from 'node:path';
import type { Connection } from '@temporalio/client';
import { evolutionStatus, resolveEvolutionConfig, startEvolution } from '../client/evolution';
import { resolveTemporalCli } from '../server/temporalCli';
import {
  BASE_FILES,
  baseConfig,
  CHANGES,
  writeFiles,
  writeMutator,
} from '../test/support/evolutionFixture';
import { ratioLine, withTemporal } from './support';

const RUNS = Number(process.env.BENCH_RUNS ?? 11);
const BIN = path.join(__dirname, '..', 'bin', 'ratchet.js');

const run = promisify(execFile);

/**
 * Median wall times of `ours` and `theirs`, their runs alternating so that
 * load on a shared machine falls on both alike. Asynchronous: the worker
 * answering the status query runs in this process.
 */
async function pairedMedians(
  ours: [string, string[]],
  theirs: [string, string[]],
  env: NodeJS.ProcessEnv,
): Promise<[number, number]> {
  const times: [number[], number[]] = [[], []];
  for (let i = 0; i <= RUNS; i++) {
    for (const [k, [cmd, args]] of [ours, theirs].entries()) {
      const t0 = performance.now();
      await run(cmd, args, { env });
      if (i > 0) times[k]!.push(performance.now() - t0); // run 0 warms up
    }
  }
  const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  return [median(times[0]), median(times[1])];
}

/**
 * A checkout whose sources changed since the last build runs the CLI through
 * tsx (bin/ratchet.js), ~10× slower: measure what users run, the build.
 */
function ensureBuilt(): void {
  const { distIsCurrent } = require('../bin/distState.js') as { distIsCurrent(): boolean };
  if (distIsCurrent()) return;
  console.log('dist/ is older than the sources: building first (npm run build)');
  execFileSync(process.execPath, [path.join(__dirname, '..', 'bin', 'build.js')], {
    stdio: 'inherit',
  });
}

async function main(): Promise<void> {
  ensureBuilt();
  const scratch = mkdtempSync(path.join(tmpdir(), 'ratchet-bench-cli-'));
  const cacheDir = process.env.RATCHET_CACHE_DIR ?? path.join(homedir(), '.cache', 'ratchet');
  const temporal = (await resolveTemporalCli({ cacheDir })).path;
  const dataDir = path.join(scratch, 'data');
  try {
    await withTemporal({ dataDir }, async ({ client, taskQueue }) => {
      const workspace = path.join(scratch, 'lib');
      mkdirSync(workspace);
      writeFiles(workspace, BASE_FILES);
      const mutator = writeMutator(scratch, { 1: { files: CHANGES.renameExport } });
      const config = resolveEvolutionConfig(
        baseConfig(workspace, mutator, { requireApproval: true }),
      );
      const handle = await startEvolution(client, taskQueue, config);
      while ((await evolutionStatus(client, handle.workflowId)).state !== 'pending_approval') {
        await new Promise((r) => setTimeout(r, 200));
      }
      const address = (client.connection as Connection).options.address;
      const env: NodeJS.ProcessEnv = {
        ...process.env,
        TEMPORAL_ADDRESS: address,
        RATCHET_DATA_DIR: dataDir,
        RATCHET_TASK_QUEUE: taskQueue,
      };
      writeFileSync(path.join(scratch, 'ratchet.config.json'), '{}');
      const pairs: Array<[string, string[], string[]]> = [
        ['--help', ['--help'], ['--help']],
        [
          'evolve list --json',
          ['evolve', 'list', '--json'],
          ['workflow', 'list', '-o', 'json', '--address', address],
        ],
        [
          'evolve status ID --json',
          ['evolve', 'status', handle.workflowId, '--json'],
          ['workflow', 'describe', '-w', handle.workflowId, '-o', 'json', '--address', address],
        ],
        [
          'agent list --json',
          ['agent', 'list', '--json'],
          ['workflow', 'list', '-o', 'json', '--address', address],
        ],
      ];
      const table = async (title: string, tableEnv: NodeJS.ProcessEnv) => {
        console.log(`cold start, ${title}, median of ${RUNS} runs (ms): ratchet vs temporal`);
        const [node] = await pairedMedians(
          [process.execPath, ['-e', '0']],
          [temporal, ['--version']],
          tableEnv,
        );
        console.log(`node -e 0 (the floor): ${node.toFixed(1)}`);
        for (const [label, ratchetArgs, temporalArgs] of pairs) {
          const [ours, theirs] = await pairedMedians(
            [process.execPath, [BIN, ...ratchetArgs]],
            [temporal, temporalArgs],
            tableEnv,
          );
          console.log(ratioLine(`ratchet ${label}`, ours, theirs, '≤ 3×'));
        }
      };
      await table('this environment', env);
      if (env.NODE_EXTRA_CA_CERTS) {
        const { NODE_EXTRA_CA_CERTS: _, ...withoutCerts } = env;
        await table('without NODE_EXTRA_CA_CERTS', withoutCerts);
      }
    });
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
