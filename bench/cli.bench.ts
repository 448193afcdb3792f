/**
 * CLI cold start: each `ratchet` command a user polls, run as a fresh process
 * (as a shell or script runs it), beside the Temporal CLI doing the same
 * against the same server — `temporal workflow list` for the lists,
 * `temporal workflow describe` for a status. Median wall times and the ratio
 * (goal ≤ 3×). The cycle being described waits for approval, so its status
 * query is answered by a live worker.
 */
import { execFile } from 'node:child_process';
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

// Asynchronous: the worker answering the status query runs in this process.
async function medianOfRuns(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    await run(cmd, args, { env });
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

async function main(): Promise<void> {
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
      const env = {
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
      console.log(`cold start, median of ${RUNS} runs (ms): ratchet vs temporal`);
      for (const [label, ratchetArgs, temporalArgs] of pairs) {
        const ours = await medianOfRuns(process.execPath, [BIN, ...ratchetArgs], env);
        const theirs = await medianOfRuns(temporal, temporalArgs, env);
        console.log(ratioLine(`ratchet ${label}`, ours, theirs, '≤ 3×'));
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
