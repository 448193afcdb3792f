/**
 * The version manager spec's `pending_approvals()`: every candidate waiting
 * for a human, across all running cycles and modules. Client-side only:
 * a visibility list of running cycles, then each one's existing status query.
 */
import type { Client } from '@temporalio/client';
import type { PendingApproval } from '../domain/evolution/results';
import { evolutionStatus } from './evolution';

export interface PendingCandidate extends PendingApproval {
  workflowId: string;
  moduleId: string;
}

export interface PendingApprovals {
  pending: PendingCandidate[];
  /** Running cycles whose status could not be read (no worker, closed meanwhile), with why. */
  unreadable: Array<{ workflowId: string; error: string }>;
}

/** Oldest deadline first: what times out soonest is what a person should look at first. */
export async function pendingApprovals(
  client: Client,
  options: { moduleId?: string; limit?: number } = {},
): Promise<PendingApprovals> {
  const out: PendingApprovals = { pending: [], unreadable: [] };
  const ids: string[] = [];
  const query = `WorkflowType = 'evolutionCycle' AND ExecutionStatus = 'Running'`;
  for await (const wf of client.workflow.list({ query })) {
    ids.push(wf.workflowId);
    if (ids.length >= (options.limit ?? 500)) break;
  }
  await Promise.all(
    ids.map(async (workflowId) => {
      try {
        const s = await evolutionStatus(client, workflowId);
        if (!s.pendingApproval) return;
        if (options.moduleId && s.moduleId !== options.moduleId) return;
        out.pending.push({ workflowId, moduleId: s.moduleId, ...s.pendingApproval });
      } catch (err) {
        out.unreadable.push({ workflowId, error: (err as Error).message.split('\n')[0] ?? '' });
      }
    }),
  );
  out.pending.sort((a, b) => a.deadline.localeCompare(b.deadline));
  return out;
}
