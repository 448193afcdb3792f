/**
 * The janitor's contract: what it found that no live workflow owns, and how
 * each thing is removed — by the same idempotent compensation activities a
 * saga uses (so the same safety rules hold), run by the saga engine.
 */
import { z } from 'zod';
import type { CompensationRecord, SagaStatus } from './saga';

export const JanitorInput = z
  .object({
    dryRun: z.boolean().default(false),
    /** Leave alone what is younger than this: its creator may not be visible yet. @default 60000 */
    minAgeMs: z.number().int().min(0).max(86_400_000).default(60_000),
  })
  .strict();
export type JanitorInput = z.infer<typeof JanitorInput>;

export interface Cleanup {
  actionType: string;
  activity: string;
  args: object;
  priority: number;
}

export interface Orphan {
  kind: 'agent' | 'session' | 'process' | 'lock' | 'service';
  id: string;
  /** The workflow that made it, when a tag says so; it is no longer running. */
  ownerWorkflowId: string | null;
  reason: string;
  /** What exists, for people: paths, pids, branches, registry entries. */
  resources: string[];
  cleanups: Cleanup[];
}

export interface JanitorReport {
  dryRun: boolean;
  orphans: Orphan[];
  /** Every removal, in order (empty on a dry run). */
  cleaned: CompensationRecord[];
  status: 'clean' | SagaStatus | 'dry_run';
}

export const JANITOR_SCHEDULE_ID = 'ratchet-janitor';
export const JANITOR_INTERVAL = '5 minutes';
