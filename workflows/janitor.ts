/**
 * The janitor: removes what no live workflow owns (a Terminate runs no
 * compensation). One scan activity finds the orphans; every removal is a
 * compensation activity run by the saga engine — priority order, attempts
 * counted, a failure recorded and the rest still run. Run by `ratchet gc` and
 * by the `ratchet-janitor` schedule.
 */
import { ApplicationFailure, proxyActivities } from '@temporalio/workflow';
import type { createJanitorActivities } from '../activities/janitor';
import { JanitorInput, type JanitorReport } from '../domain/janitor';
import { Saga } from './saga/engine';

const scan = proxyActivities<ReturnType<typeof createJanitorActivities>>({
  startToCloseTimeout: '2 minutes',
  retry: { maximumAttempts: 3 },
});

export async function janitor(raw: Partial<JanitorInput> = {}): Promise<JanitorReport> {
  const parsed = JanitorInput.safeParse(raw);
  if (!parsed.success) {
    throw ApplicationFailure.create({
      type: 'InvalidJanitorInput',
      message: parsed.error.issues
        .map((i) => `${i.path.join('.') || 'input'}: ${i.message}`)
        .join('; '),
      nonRetryable: true,
    });
  }
  const input = parsed.data;
  const orphans = await scan.janitorScan({ minAgeMs: input.minAgeMs });
  if (input.dryRun) return { dryRun: true, orphans, cleaned: [], status: 'dry_run' };
  if (orphans.length === 0) return { dryRun: false, orphans, cleaned: [], status: 'clean' };
  const saga = new Saga();
  for (const orphan of orphans) {
    for (const c of orphan.cleanups) {
      saga.register({
        actionType: c.actionType,
        resourceId: orphan.id,
        priority: c.priority,
        activity: c.activity,
        args: [c.args],
        description: `${orphan.kind} ${orphan.id}: ${orphan.reason}`,
      });
    }
  }
  const outcome = await saga.compensate();
  return { dryRun: false, orphans, cleaned: outcome.compensations, status: outcome.status };
}
