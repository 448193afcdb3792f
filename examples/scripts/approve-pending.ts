/**
 * Approve (or reject) whatever is waiting for a human, across all cycles.
 *
 *   npx tsx approve-pending.ts --by alice [--note "release 2.0"]
 *   npx tsx approve-pending.ts --by alice --reject --reason "not this week"
 *   npx tsx approve-pending.ts --by alice --module mylib --module otherlib   # only these modules
 *
 * Prints one line per cycle it answered; exit 0 (also when nothing waited).
 */
import { parseArgs } from 'node:util';
import {
  approveEvolution,
  connectClient,
  evolutionStatus,
  listEvolutions,
  loadSettings,
  OperatorRequestRefused,
  rejectEvolution,
} from 'ratchet/client';

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      by: { type: 'string' },
      note: { type: 'string' },
      reject: { type: 'boolean', default: false },
      reason: { type: 'string' },
      module: { type: 'string', multiple: true },
    },
  });
  if (!values.by || (values.reject && !values.reason)) {
    console.error('usage: approve-pending.ts --by NAME [--note TEXT] | --reject --reason TEXT');
    return 2;
  }
  const client = await connectClient(loadSettings());
  for (const cycle of await listEvolutions(client)) {
    if (values.module && !values.module.includes(cycle.moduleId)) continue;
    if (cycle.state === 'completed' || cycle.state === 'failed') continue;
    // The list comes from the visibility store, which can lag; the workflow itself says what waits.
    const status = await evolutionStatus(client, cycle.workflowId);
    const pending = status.pendingApproval;
    if (!pending) continue;
    try {
      if (values.reject) {
        await rejectEvolution(client, cycle.workflowId, { by: values.by, reason: values.reason! });
      } else {
        await approveEvolution(client, cycle.workflowId, { by: values.by, note: values.note });
      }
      console.log(
        `${values.reject ? 'rejected' : 'approved'} ${cycle.workflowId} ${pending.version} (${pending.reason})`,
      );
    } catch (err) {
      // Someone else answered first, or it timed out meanwhile: the workflow says which.
      if (!(err instanceof OperatorRequestRefused)) throw err;
      console.log(`skipped ${cycle.workflowId}: ${err.message}`);
    }
  }
  await client.connection.close();
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
