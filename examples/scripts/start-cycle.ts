/**
 * Start an evolution cycle and wait for its outcome.
 *
 *   npx tsx start-cycle.ts --workspace ./mylib --patches ./candidates --test "npm test" \
 *     [--metrics "node bench.js"] [--iterations 3]
 *
 * Connects like the CLI does (TEMPORAL_ADDRESS, ratchet.config.json, …) and
 * needs a ratchet worker on the task queue (`ratchet dev` or `ratchet worker`).
 * Exit 0 when the cycle completed, 1 otherwise.
 */
import { parseArgs } from 'node:util';
import {
  connectClient,
  evolutionResult,
  loadSettings,
  resolveEvolutionConfig,
  startEvolution,
} from 'ratchet/client';

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      workspace: { type: 'string' },
      patches: { type: 'string' },
      mutator: { type: 'string' },
      test: { type: 'string' },
      metrics: { type: 'string' },
      iterations: { type: 'string', default: '1' },
      // Host paths the sandboxed commands may read (a mutator's scripts under /tmp).
      expose: { type: 'string', multiple: true, default: [] },
    },
  });
  if (!values.workspace || !values.test || !(values.patches ?? values.mutator)) {
    console.error(
      'usage: start-cycle.ts --workspace DIR (--patches DIR | --mutator CMD) --test CMD',
    );
    return 2;
  }
  const settings = loadSettings();
  const client = await connectClient(settings);
  // Validates every setting (a ZodError names each bad field) and makes paths absolute.
  const config = resolveEvolutionConfig({
    moduleId: values.workspace.replace(/\/+$/, '').split('/').pop()!,
    workspace: values.workspace,
    candidate: values.patches
      ? { kind: 'patches', dir: values.patches }
      : { kind: 'mutator', command: values.mutator! },
    evaluation: { test: values.test, metrics: values.metrics },
    iterations: Number(values.iterations),
    expose: values.expose,
  });
  const handle = await startEvolution(client, settings.taskQueue, config);
  console.log(`started ${handle.workflowId}`);

  // The cycle is durable: this script could exit here and another fetch the result later.
  const result = await evolutionResult(client, handle.workflowId);
  for (const it of result.iterations) {
    console.log(`  iteration ${it.index}: ${it.decision} ${it.version ?? ''} (${it.reason})`);
  }
  console.log(
    `${result.state}: final version ${result.finalVersion ?? '-'} — ${result.stopReason}`,
  );
  await client.connection.close();
  return result.state === 'completed' ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
