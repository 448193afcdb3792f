/**
 * Embed the saga engine in your own workflow: runs a worker with your
 * workflow (saga/workflows.ts) and activities, books a trip, and prints what
 * was booked or — with --sold-out ITEM — the compensations that undid it.
 *
 *   npx tsx saga-workflow.ts --dir /tmp/trip [--sold-out car]
 *
 * Exit 0 when booked, 1 when compensated.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import * as activities from './saga/activities';
import type { bookTrip } from './saga/workflows';

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: { dir: { type: 'string' }, 'sold-out': { type: 'string' } },
  });
  if (!values.dir) {
    console.error('usage: saga-workflow.ts --dir DIR [--sold-out flight|hotel|car]');
    return 2;
  }
  mkdirSync(values.dir, { recursive: true });
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const address = process.env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233';
  const taskQueue = `trips-${randomUUID()}`;
  const connection = await NativeConnection.connect({ address });
  const worker = await Worker.create({
    connection,
    taskQueue,
    workflowsPath: require.resolve('./saga/workflows'),
    activities,
  });
  const client = new Client({ connection: await Connection.connect({ address }) });
  const trip = await worker.runUntil(
    client.workflow.execute<typeof bookTrip>('bookTrip', {
      taskQueue,
      workflowId: `trip-${randomUUID()}`,
      args: [{ dir: path.resolve(values.dir), soldOut: values['sold-out'] }],
    }),
  );
  await connection.close();
  if (!trip.compensation) {
    console.log(`booked ${trip.booked.join(', ')}`);
    return 0;
  }
  console.log(`${trip.compensation.status} after booking ${trip.booked.join(', ') || 'nothing'}:`);
  for (const c of trip.compensation.compensations) {
    console.log(`  ${c.actionType} ${c.status} (${c.attempts} attempt(s))`);
  }
  return 1;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
