/**
 * Fault plans: failures a test or a demo injects into a run from outside it.
 * The client stamps a plan on the workflow start as a Temporal header
 * (FAULT_HEADER); the workflow interceptor copies it onto every activity it
 * schedules; the worker's activity interceptor acts on it at the named point.
 * Product inputs and product activities know nothing of it.
 *
 *   permanent  before the activity runs, a non-retryable failure
 *   transient  before the activity runs, a retryable failure on attempt 1 only
 *   timeout    after the activity's effect, outlive its start-to-close timeout
 *   kill       SIGKILL the worker process before or after the effect, once
 *              (`onceFile` is created first; a restarted worker finds it and goes on)
 */
import { z } from 'zod';
import { AGENT_STEPS, SESSION_STEPS, type AgentStep, type SessionStep } from './operations';

export const FAULT_HEADER = 'ratchet-fault-plan';

export const FaultMode = z.enum(['permanent', 'transient', 'timeout', 'kill']);
export type FaultMode = z.infer<typeof FaultMode>;

export const Fault = z
  .object({
    /** The activity type (e.g. persistAgentState, or a compensation such as removeAgentRecord). */
    activity: z.string().min(1),
    mode: FaultMode,
    phase: z.enum(['before', 'after']).default('before'),
    /**
     * Only in runs of this workflow type (e.g. evolutionIteration), when the
     * same activity also runs elsewhere in the operation (a cycle's baseline).
     */
    workflowType: z.string().min(1).optional(),
    /** kill only: the marker that makes the kill happen once. */
    onceFile: z.string().startsWith('/').optional(),
  })
  .strict();
export type Fault = z.infer<typeof Fault>;

export const FaultPlan = z.array(Fault).max(32);
export type FaultPlan = z.infer<typeof FaultPlan>;

/** Which activity carries out each saga step. */
export const AGENT_STEP_ACTIVITY: Record<AgentStep, string> = {
  reserve_record: 'reserveAgentRecord',
  allocate_resources: 'allocateAgentResources',
  create_worktree: 'createAgentWorktree',
  create_session_dir: 'createAgentScratch',
  persist_state: 'persistAgentState',
  spawn_process: 'spawnAgentProcess',
  health_check: 'checkAgentHealth',
};

export const SESSION_STEP_ACTIVITY: Record<SessionStep, string> = {
  reserve_record: 'reserveSessionRecord',
  create_session_dir: 'createSessionDir',
  git_integration: 'attachSessionGit',
  start_watcher: 'startSessionWatcher',
};

/** Compensation activity types, by the compensation's actionType. */
export const AGENT_COMPENSATION_ACTIVITY: Record<string, string> = {
  remove_record: 'removeAgentRecord',
  terminate_process: 'terminateAgentProcess',
  remove_worktree: 'removeAgentWorktree',
  release_quota: 'releaseAgentQuota',
  remove_state: 'removeAgentState',
  remove_session_dir: 'removeAgentScratch',
  remove_agent_folder: 'removeAgentFolder',
};

export const SESSION_COMPENSATION_ACTIVITY: Record<string, string> = {
  remove_record: 'removeSessionRecord',
  remove_session_dir: 'removeSessionDir',
  git_cleanup: 'detachSessionGit',
  monitoring_cleanup: 'stopSessionWatcher',
};

/** The CLI's `--fail-at STEP --fail-mode MODE` as a fault plan. */
export function stepFault(
  kind: 'agent' | 'session',
  step: string,
  mode: 'permanent' | 'transient' | 'timeout',
): Fault {
  const steps: readonly string[] = kind === 'agent' ? AGENT_STEPS : SESSION_STEPS;
  if (!steps.includes(step)) {
    throw new Error(`unknown step "${step}"; steps: ${steps.join(', ')}`);
  }
  const table: Record<string, string> =
    kind === 'agent' ? AGENT_STEP_ACTIVITY : SESSION_STEP_ACTIVITY;
  return { activity: table[step]!, mode, phase: mode === 'timeout' ? 'after' : 'before' };
}
