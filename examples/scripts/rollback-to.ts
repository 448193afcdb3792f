/**
 * Roll a running cycle back to a named version, interrupting its iteration.
 *
 *   npx tsx rollback-to.ts evolve-mylib-abc123 v2 --reason "p99 regressed in prod" [--by ops]
 *
 * Waits for the cycle to finish and prints where it ended; exit 0 when the
 * workspace is at the requested version, 1 otherwise, 2 on bad input.
 */
import { parseArgs } from 'node:util';
import {
  connectClient,
  evolutionResult,
  loadSettings,
  OperatorRequestRefused,
  rollbackEvolution,
} from 'ratchet/client';

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { reason: { type: 'string' }, by: { type: 'string' } },
  });
  const [workflowId, toVersion] = positionals;
  if (!workflowId || !toVersion || !values.reason) {
    console.error('usage: rollback-to.ts WORKFLOW_ID vN --reason TEXT [--by NAME]');
    return 2;
  }
  const client = await connectClient(loadSettings());
  try {
    // An update: the workflow validates it (a version that is not in the lineage is refused).
    await rollbackEvolution(client, workflowId, {
      toVersion,
      reason: values.reason,
      by: values.by,
    });
  } catch (err) {
    if (!(err instanceof OperatorRequestRefused)) throw err;
    console.error(`refused: ${err.message}`);
    return 2;
  }
  console.log(`rollback to ${toVersion} requested on ${workflowId}`);
  const result = await evolutionResult(client, workflowId);
  console.log(`${result.state}: final version ${result.finalVersion ?? '-'}`);
  await client.connection.close();
  return result.finalVersion === toVersion ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
