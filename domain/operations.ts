/**
 * Inputs and outcomes of the creation operations (agents, sessions): zod
 * schemas parsed at the edge (CLI, client) and again by the workflow.
 */
import { z } from 'zod';
import { dangerousPathReason } from './paths';
import type { CompensationRecord, SagaStatus } from './saga';

export const AGENT_STEPS = [
  'reserve_record',
  'allocate_resources',
  'create_worktree',
  'create_session_dir',
  'persist_state',
  'spawn_process',
  'health_check',
] as const;
export type AgentStep = (typeof AGENT_STEPS)[number];

export const SESSION_STEPS = [
  'reserve_record',
  'create_session_dir',
  'git_integration',
  'start_watcher',
] as const;
export type SessionStep = (typeof SESSION_STEPS)[number];

/** How `--fail-at` makes a step fail (demos, tests): injected by domain/faults.ts, not an input. */
export const FailMode = z.enum(['permanent', 'transient', 'timeout']);

const Name = z
  .string()
  .regex(
    /^[a-z0-9][a-z0-9-]{0,39}$/,
    'names are 1–40 lowercase letters, digits or "-", starting with a letter or digit',
  );
const AbsolutePath = z.string().superRefine((p, ctx) => {
  const why = dangerousPathReason(p);
  if (why) ctx.addIssue({ code: 'custom', message: why });
});

export const AgentCreateInput = z
  .object({
    name: Name,
    /** A git repository to give the agent a worktree and branch of. */
    repo: AbsolutePath.optional(),
    /** The agent's command (run with sh -c); default: the bundled agent runner. */
    command: z.string().trim().min(1).optional(),
    memoryMb: z.number().int().min(1).max(1_048_576).default(512),
    limits: z
      .object({ maxAgents: z.number().int().min(1), memoryBudgetMb: z.number().int().min(1) })
      .strict()
      .default({ maxAgents: 32, memoryBudgetMb: 65_536 }),
    healthTimeoutMs: z.number().int().min(100).max(300_000).default(10_000),
    stepTimeoutMs: z.number().int().min(500).max(600_000).default(30_000),
    /** Compensations of equal priority run in parallel. */
    parallelCompensation: z.boolean().default(false),
    /**
     * Temporary files or folders the agent's process may create (sockets, lock
     * files, caches): removed if the creation is rolled back (the seed's
     * add_temporary_file_cleanup, priority 60). Under the data dir, the system
     * temp dir or the repository only.
     */
    tempFiles: z
      .array(
        AbsolutePath.refine((p) => !p.split('/').includes('..'), 'must not contain ".."').refine(
          (p) => p.split('/').filter(Boolean).length >= 2,
          'must not be a filesystem root or a top-level folder',
        ),
      )
      .max(64)
      .default([]),
  })
  .strict();
export type AgentCreateInput = z.infer<typeof AgentCreateInput>;

export const SessionCreateInput = z
  .object({
    name: Name,
    repo: AbsolutePath.optional(),
    stepTimeoutMs: z.number().int().min(500).max(600_000).default(30_000),
  })
  .strict();
export type SessionCreateInput = z.infer<typeof SessionCreateInput>;

export interface StepRecord {
  name: string;
  status: 'completed' | 'failed' | 'not_run';
  durationMs: number;
  error: string | null;
}

export interface OperationOutcome {
  workflowId: string;
  operation: 'agent.create' | 'agent.delete' | 'session.create' | 'session.delete';
  status: 'completed' | SagaStatus;
  failedStep: string | null;
  error: string | null;
  steps: StepRecord[];
  /** In execution order: the audit trail. */
  compensations: CompensationRecord[];
  cleanupCompleteness: number;
  /** Registry differences after compensating, against the snapshot taken before the first step. */
  registryDrift: string[];
  resources: Record<string, string | number | null>;
}
