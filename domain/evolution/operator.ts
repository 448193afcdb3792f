/** What operators send a running cycle: validated before the workflow accepts it. */
import { z } from 'zod';

/** The client's identity (Temporal's `pid@host` unless configured), recorded beside `by`. */
const Identity = z.string().max(200).optional();

export const ApproveInput = z.object({
  by: z.string().trim().min(1, 'say who approves (by)'),
  note: z.string().max(2000).optional(),
  identity: Identity,
});
export type ApproveInput = z.infer<typeof ApproveInput>;

export const RejectInput = z.object({
  by: z.string().trim().min(1, 'say who rejects (by)'),
  reason: z.string().trim().min(1, 'give a reason').max(2000),
  identity: Identity,
});
export type RejectInput = z.infer<typeof RejectInput>;

export const RollbackRequest = z.object({
  toVersion: z
    .string()
    .regex(/^v\d+$/, 'versions look like v3')
    .optional(),
  reason: z.string().trim().min(1, 'give a reason').max(2000),
  by: z.string().trim().min(1).optional(),
  identity: Identity,
});
export type RollbackRequest = z.infer<typeof RollbackRequest>;

/** Who pauses or resumes a cycle (both optional: histories recorded before carry neither). */
export const OperatorCall = z.object({
  by: z.string().trim().min(1).optional(),
  identity: Identity,
});
export type OperatorCall = z.infer<typeof OperatorCall>;

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
