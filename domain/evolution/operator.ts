/** What operators send a running cycle: validated before the workflow accepts it. */
import { z } from 'zod';

export const ApproveInput = z.object({
  by: z.string().trim().min(1, 'say who approves (by)'),
  note: z.string().max(2000).optional(),
});
export type ApproveInput = z.infer<typeof ApproveInput>;

export const RejectInput = z.object({
  by: z.string().trim().min(1, 'say who rejects (by)'),
  reason: z.string().trim().min(1, 'give a reason').max(2000),
});
export type RejectInput = z.infer<typeof RejectInput>;

export const RollbackRequest = z.object({
  toVersion: z
    .string()
    .regex(/^v\d+$/, 'versions look like v3')
    .optional(),
  reason: z.string().trim().min(1, 'give a reason').max(2000),
  by: z.string().trim().min(1).optional(),
});
export type RollbackRequest = z.infer<typeof RollbackRequest>;

export const CYCLE_STATES = [
  'running',
  'pending_approval',
  'inconclusive',
  'needs_attention',
  'paused',
  'completed',
  'failed',
] as const;
export type CycleState = (typeof CYCLE_STATES)[number];
