/**
 * Agent and session operations as sagas over real resources.
 *
 *   agentCreate                              compensation            priority
 *     reserve_record      registry entry     remove the record         100
 *                                            remove the agent folder    10
 *     allocate_resources  quota booking      release the quota          80
 *     create_worktree     git branch+worktree remove both               90
 *     create_session_dir  .session_<id>      remove it                  60
 *     persist_state       state file         remove it                  70
 *     spawn_process       agent process      SIGTERM, then SIGKILL      95
 *     health_check        alive + heartbeat  —
 *
 *   sessionCreate: reserve_record 100 · create_session_dir 80 · git_integration 70 · start_watcher 60
 *
 *   temporary files (input.tempFiles): removed by add_temporary_file_cleanup, priority 60
 *
 * Deletion registers every teardown with the same priorities and runs them
 * at once: a delete is a compensation of everything, audited like one.
 *
 * Before the first step an OperationSnapshot records what the operation will
 * touch (registry, files, processes, worktrees); compensating against an
 * invalid one is refused (RollbackStateError). After compensating, the same
 * things are read again and every difference is reported (`registryDrift`),
 * and the rollback's audit records are written (activities/agents/audit.ts).
 */
import {
  ApplicationFailure,
  CancellationScope,
  defineQuery,
  isCancellation,
  log,
  proxyActivities,
  setHandler,
  uuid4,
  workflowInfo,
} from '@temporalio/workflow';
import type { AgentActivities } from '../activities/agents';
import {
  AGENT_STEPS,
  AgentCreateInput,
  SESSION_STEPS,
  SessionCreateInput,
  type OperationOutcome,
} from '../domain/operations';
import {
  deletionLeftovers,
  diffOperationSnapshots,
  snapshotProblems,
  type OperationSnapshot,
} from '../domain/operationSnapshot';
import type { CompensationOutcome } from '../domain/saga';
import type { z } from 'zod';
import { Saga } from './saga/engine';
import { failureMessage, OperationSteps } from './saga/operation';
import { OperationView } from './saga/view';

export { ledgerQuery } from './saga/view';

export const outcomeQuery = defineQuery<OperationOutcome | null>('outcome');

const READS = { startToCloseTimeout: '30 seconds', retry: { maximumAttempts: 5 } } as const;
const reads = proxyActivities<AgentActivities>(READS);

/**
 * A compensation attempt lost with its worker is retried once this expires: as
 * short as the steps' own timeout, but long enough to stop a stubborn process
 * (SIGTERM, grace, SIGKILL).
 */
const compensationTimeoutMs = (stepTimeoutMs: number) => Math.max(stepTimeoutMs, 10_000);

function stepActivities(stepTimeoutMs: number) {
  return proxyActivities<AgentActivities>({
    startToCloseTimeout: stepTimeoutMs,
    retry: { maximumAttempts: 3, initialInterval: '200 milliseconds', backoffCoefficient: 2 },
  });
}

function parse<S extends z.ZodType>(schema: S, raw: unknown): z.infer<S> {
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    throw ApplicationFailure.create({
      type: 'InvalidOperationInput',
      message: parsed.error.issues
        .map((i) => `${i.path.join('.') || 'input'}: ${i.message}`)
        .join('; '),
      nonRetryable: true,
    });
  }
  return parsed.data;
}

/**
 * Runs started before fault injection moved to a header carry failAt/failMode
 * in their input; they must still replay. New input is refused with them at the edge.
 */
function withoutLegacyFaultKeys(raw: unknown): unknown {
  if (typeof raw !== 'object' || raw === null) return raw;
  const { failAt: _failAt, failMode: _failMode, ...rest } = raw as Record<string, unknown>;
  return rest;
}

/**
 * The seed's add_temporary_file_cleanup: registers the removal of temporary
 * files or folders (priority 60) before the step that may create them.
 */
export function addTemporaryFileCleanup(
  saga: Saga,
  resourceId: string,
  paths: string[],
  repo: string | null = null,
): void {
  if (paths.length === 0) return;
  saga.register({
    actionType: 'remove_temporary_files',
    resourceId,
    priority: 60,
    activity: 'removeTemporaryFiles',
    args: [{ paths, repo }],
    description: `remove temporary files ${paths.join(', ')}`,
  });
}

/** Writes the rollback's audit records; an audit that cannot be written never changes the outcome. */
async function audit(input: Parameters<AgentActivities['recordRollbackAudit']>[0]): Promise<void> {
  try {
    await CancellationScope.nonCancellable(() => reads.recordRollbackAudit(input));
  } catch (e) {
    log.error('rollback audit not written', {
      operationId: input.operationId,
      error: failureMessage(e),
    });
  }
}

/**
 * After a failure or cancellation: refuse when the snapshot is invalid,
 * else compensate, compare the world with the snapshot, audit, report — and
 * fail the run with it.
 */
async function compensateAndReport(
  err: unknown,
  saga: Saga,
  op: OperationSteps,
  base: Pick<OperationOutcome, 'workflowId' | 'operation' | 'resources'>,
  before: OperationSnapshot,
  startedPids: () => Array<number | null>,
  publish: (o: OperationOutcome) => void,
): Promise<never> {
  if (!op.error) op.error = failureMessage(err);
  const startedAt = Date.now();
  const subjectId = String(base.resources.agentId ?? base.resources.sessionId ?? '');
  const problems = snapshotProblems(before, {
    operationId: base.workflowId,
    operationType: base.operation,
    now: startedAt,
  });
  if (problems.length) {
    const message = `refusing to compensate ${base.workflowId}: its snapshot is invalid (${problems.join('; ')})`;
    const outcome: OperationOutcome = {
      ...base,
      status: 'compensation_incomplete',
      failedStep: op.failedStep,
      error: op.error,
      steps: op.steps,
      compensations: [],
      cleanupCompleteness: 0,
      registryDrift: [message],
    };
    publish(outcome);
    await audit({
      operationId: base.workflowId,
      operation: base.operation,
      subjectId,
      startedAt,
      finishedAt: Date.now(),
      compensations: [],
      cleanupCompleteness: 0,
      drift: [],
      criticalError: `RollbackStateError: ${message}`,
    });
    throw ApplicationFailure.create({
      type: 'RollbackStateError',
      message,
      nonRetryable: true,
      details: [outcome],
    });
  }
  const compensation: CompensationOutcome = await saga.compensate();
  let drift: string[];
  try {
    const after = await CancellationScope.nonCancellable(() =>
      reads.resnapshotOperation({ before, pids: startedPids() }),
    );
    drift = diffOperationSnapshots(before, after);
  } catch (e) {
    drift = [`registry unreadable, cannot verify: ${failureMessage(e)}`];
  }
  const outcome: OperationOutcome = {
    ...base,
    status: compensation.status,
    failedStep: op.failedStep,
    error: op.error,
    steps: op.steps,
    compensations: compensation.compensations,
    cleanupCompleteness: compensation.cleanupCompleteness,
    registryDrift: drift,
  };
  publish(outcome);
  await audit({
    operationId: base.workflowId,
    operation: base.operation,
    subjectId,
    startedAt,
    finishedAt: Date.now(),
    compensations: compensation.compensations,
    cleanupCompleteness: compensation.cleanupCompleteness,
    drift,
  });
  if (isCancellation(err)) throw err;
  throw ApplicationFailure.create({
    type: compensation.status === 'compensated' ? 'OperationCompensated' : 'CompensationIncomplete',
    message: `${base.operation} failed at ${op.failedStep ?? 'a step'} (${op.error}); ${compensation.status}, cleanup ${compensation.cleanupCompleteness} %`,
    nonRetryable: true,
    details: [outcome],
  });
}

export async function agentCreate(raw: AgentCreateInput): Promise<OperationOutcome> {
  const input = parse(AgentCreateInput, withoutLegacyFaultKeys(raw));
  const agentId = `${input.name}-${uuid4().slice(0, 8)}`;
  const acts = stepActivities(input.stepTimeoutMs);
  const health = proxyActivities<AgentActivities>({
    startToCloseTimeout: input.healthTimeoutMs + input.stepTimeoutMs,
    retry: { maximumAttempts: 1 },
  });
  let published: OperationOutcome | null = null;
  setHandler(outcomeQuery, () => published);
  const common = (_step: string) => ({ agentId });
  const resources: Record<string, string | number | null> = {
    agentId,
    pid: null,
    worktree: null,
    branch: null,
    sessionDir: null,
    stateFile: null,
  };
  const base = {
    workflowId: workflowInfo().workflowId,
    operation: 'agent.create' as const,
    resources,
  };
  const before = await reads.snapshotOperation({
    operationId: base.workflowId,
    operationType: 'agent.create',
    subjectId: agentId,
    repo: input.repo ?? null,
    files: input.tempFiles,
  });
  const view = new OperationView(base.workflowId, base.operation, `create agent ${input.name}`);
  const saga = new Saga({
    parallelEqualPriority: input.parallelCompensation,
    onChange: view.onLedger,
  });
  const op = new OperationSteps(
    AGENT_STEPS.filter((s) => s !== 'create_worktree' || input.repo),
    () => view.refresh(),
  );
  view.trackSteps(() => ({ steps: op.steps, current: op.current }));
  const undo = (
    actionType: string,
    priority: number,
    activity: keyof AgentActivities,
    args: object,
    description: string,
  ) =>
    saga.register({
      actionType,
      resourceId: agentId,
      priority,
      activity,
      args: [args],
      description,
      startToCloseTimeout: compensationTimeoutMs(input.stepTimeoutMs),
    });

  try {
    await op.run(
      'reserve_record',
      () => {
        undo(
          'remove_record',
          100,
          'removeAgentRecord',
          { agentId },
          'remove the agent from the registry',
        );
        undo(
          'remove_agent_folder',
          10,
          'removeAgentFolder',
          { agentId },
          'remove what is left of the agent folder',
        );
      },
      () =>
        acts.reserveAgentRecord({
          ...common('reserve_record'),
          name: input.name,
          repo: input.repo ?? null,
        }),
    );
    await op.run(
      'allocate_resources',
      () =>
        undo('release_quota', 80, 'releaseAgentQuota', { agentId }, 'release the quota booking'),
      () =>
        acts.allocateAgentResources({
          ...common('allocate_resources'),
          memoryMb: input.memoryMb,
          limits: input.limits,
        }),
    );
    if (input.repo) {
      const repo = input.repo;
      const wt = await op.run(
        'create_worktree',
        () =>
          undo(
            'remove_worktree',
            90,
            'removeAgentWorktree',
            { agentId, repo },
            'remove the worktree and branch',
          ),
        () => acts.createAgentWorktree({ ...common('create_worktree'), repo }),
      );
      Object.assign(resources, wt);
    }
    const scratch = await op.run(
      'create_session_dir',
      () =>
        undo(
          'remove_session_dir',
          60,
          'removeAgentScratch',
          { agentId },
          'remove the .session_ directory',
        ),
      () => acts.createAgentScratch(common('create_session_dir')),
    );
    resources.sessionDir = scratch.sessionDir;
    const state = await op.run(
      'persist_state',
      () => undo('remove_state', 70, 'removeAgentState', { agentId }, 'remove the state file'),
      () => acts.persistAgentState({ ...common('persist_state'), name: input.name }),
    );
    resources.stateFile = state.stateFile;
    const proc = await op.run(
      'spawn_process',
      () => {
        addTemporaryFileCleanup(saga, agentId, input.tempFiles, input.repo ?? null);
        undo(
          'terminate_process',
          95,
          'terminateAgentProcess',
          { agentId },
          'SIGTERM, then SIGKILL',
        );
      },
      () =>
        acts.spawnAgentProcess({
          ...common('spawn_process'),
          command: input.command ?? null,
          cwd: (resources.worktree as string | null) ?? null,
        }),
    );
    resources.pid = proc.pid;
    await op.run(
      'health_check',
      () => undefined,
      () =>
        health.checkAgentHealth({ ...common('health_check'), timeoutMs: input.healthTimeoutMs }),
    );
    await acts.activateAgent({ agentId });
    saga.clear();
    published = {
      ...base,
      status: 'completed',
      failedStep: null,
      error: null,
      steps: op.steps,
      compensations: [],
      cleanupCompleteness: 100,
      registryDrift: [],
    };
    view.finish('completed', 100);
    return published;
  } catch (err) {
    return compensateAndReport(
      err,
      saga,
      op,
      base,
      before,
      () => [resources.pid as number | null],
      (o) => {
        published = o;
        view.finish(o.status, o.cleanupCompleteness);
      },
    );
  }
}

export async function sessionCreate(raw: SessionCreateInput): Promise<OperationOutcome> {
  const input = parse(SessionCreateInput, withoutLegacyFaultKeys(raw));
  const sessionId = `${input.name}-${uuid4().slice(0, 8)}`;
  const acts = stepActivities(input.stepTimeoutMs);
  let published: OperationOutcome | null = null;
  setHandler(outcomeQuery, () => published);
  const common = (_step: string) => ({ sessionId });
  const resources: Record<string, string | number | null> = {
    sessionId,
    dir: null,
    branch: null,
    watcherPid: null,
  };
  const base = {
    workflowId: workflowInfo().workflowId,
    operation: 'session.create' as const,
    resources,
  };
  const before = await reads.snapshotOperation({
    operationId: base.workflowId,
    operationType: 'session.create',
    subjectId: sessionId,
    repo: input.repo ?? null,
  });
  const view = new OperationView(base.workflowId, base.operation, `create session ${input.name}`);
  const saga = new Saga({ onChange: view.onLedger });
  const op = new OperationSteps(
    SESSION_STEPS.filter((s) => s !== 'git_integration' || input.repo),
    () => view.refresh(),
  );
  view.trackSteps(() => ({ steps: op.steps, current: op.current }));
  const undo = (
    actionType: string,
    priority: number,
    activity: keyof AgentActivities,
    args: object,
    description: string,
  ) =>
    saga.register({
      actionType,
      resourceId: sessionId,
      priority,
      activity,
      args: [args],
      description,
      startToCloseTimeout: compensationTimeoutMs(input.stepTimeoutMs),
    });
  try {
    await op.run(
      'reserve_record',
      () =>
        undo(
          'remove_record',
          100,
          'removeSessionRecord',
          { sessionId },
          'remove the session from the registry',
        ),
      () =>
        acts.reserveSessionRecord({
          ...common('reserve_record'),
          name: input.name,
          repo: input.repo ?? null,
        }),
    );
    const dir = await op.run(
      'create_session_dir',
      () =>
        undo(
          'remove_session_dir',
          80,
          'removeSessionDir',
          { sessionId },
          'remove the .session_ directory',
        ),
      () => acts.createSessionDir(common('create_session_dir')),
    );
    resources.dir = dir.dir;
    if (input.repo) {
      const repo = input.repo;
      const g = await op.run(
        'git_integration',
        () =>
          undo(
            'git_cleanup',
            70,
            'detachSessionGit',
            { sessionId, repo },
            'delete the session branch',
          ),
        () => acts.attachSessionGit({ ...common('git_integration'), repo }),
      );
      resources.branch = g.branch;
    }
    const w = await op.run(
      'start_watcher',
      () =>
        undo(
          'monitoring_cleanup',
          60,
          'stopSessionWatcher',
          { sessionId },
          'stop the file watcher',
        ),
      () => acts.startSessionWatcher(common('start_watcher')),
    );
    resources.watcherPid = w.watcherPid;
    await acts.activateSession({ sessionId });
    saga.clear();
    published = {
      ...base,
      status: 'completed',
      failedStep: null,
      error: null,
      steps: op.steps,
      compensations: [],
      cleanupCompleteness: 100,
      registryDrift: [],
    };
    view.finish('completed', 100);
    return published;
  } catch (err) {
    return compensateAndReport(
      err,
      saga,
      op,
      base,
      before,
      () => [resources.watcherPid as number | null],
      (o) => {
        published = o;
        view.finish(o.status, o.cleanupCompleteness);
      },
    );
  }
}

/** Deleting is compensating everything the creation made, in the same priority order. */
export async function agentDelete(input: { agentId: string }): Promise<OperationOutcome> {
  const agent = await reads.getAgent({ agentId: input.agentId });
  if (!agent) {
    throw ApplicationFailure.create({
      type: 'AgentNotFound',
      message: `no agent ${input.agentId}`,
      nonRetryable: true,
    });
  }
  const agentId = agent.id;
  const view = new OperationView(
    workflowInfo().workflowId,
    'agent.delete',
    `delete agent ${agentId}`,
  );
  const before = await reads.snapshotOperation({
    operationId: workflowInfo().workflowId,
    operationType: 'agent.delete',
    subjectId: agentId,
    repo: agent.repo,
    pids: agent.pid ? [agent.pid] : [],
  });
  const saga = new Saga({ onChange: view.onLedger });
  const undo = (
    actionType: string,
    priority: number,
    activity: keyof AgentActivities,
    args: object,
  ) => saga.register({ actionType, resourceId: agentId, priority, activity, args: [args] });
  undo('remove_record', 100, 'removeAgentRecord', { agentId });
  undo('terminate_process', 95, 'terminateAgentProcess', { agentId });
  if (agent.repo) undo('remove_worktree', 90, 'removeAgentWorktree', { agentId, repo: agent.repo });
  undo('release_quota', 80, 'releaseAgentQuota', { agentId });
  undo('remove_state', 70, 'removeAgentState', { agentId });
  undo('remove_session_dir', 60, 'removeAgentScratch', { agentId });
  undo('remove_agent_folder', 10, 'removeAgentFolder', { agentId });
  const startedAt = Date.now();
  const result = await saga.compensate();
  const drift = await leftovers(before);
  await auditDeletion('agent.delete', agentId, startedAt, result, drift);
  return view.finished(deletionOutcome('agent.delete', result, { agentId }, drift));
}

export async function sessionDelete(input: { sessionId: string }): Promise<OperationOutcome> {
  const session = await reads.getSession({ sessionId: input.sessionId });
  if (!session) {
    throw ApplicationFailure.create({
      type: 'SessionNotFound',
      message: `no session ${input.sessionId}`,
      nonRetryable: true,
    });
  }
  const sessionId = session.id;
  const view = new OperationView(
    workflowInfo().workflowId,
    'session.delete',
    `delete session ${sessionId}`,
  );
  const before = await reads.snapshotOperation({
    operationId: workflowInfo().workflowId,
    operationType: 'session.delete',
    subjectId: sessionId,
    repo: session.repo,
    pids: session.watcherPid ? [session.watcherPid] : [],
  });
  const saga = new Saga({ onChange: view.onLedger });
  const undo = (
    actionType: string,
    priority: number,
    activity: keyof AgentActivities,
    args: object,
  ) => saga.register({ actionType, resourceId: sessionId, priority, activity, args: [args] });
  undo('remove_record', 100, 'removeSessionRecord', { sessionId });
  undo('remove_session_dir', 80, 'removeSessionDir', { sessionId });
  if (session.repo) undo('git_cleanup', 70, 'detachSessionGit', { sessionId, repo: session.repo });
  undo('monitoring_cleanup', 60, 'stopSessionWatcher', { sessionId });
  const startedAt = Date.now();
  const result = await saga.compensate();
  const drift = await leftovers(before);
  await auditDeletion('session.delete', sessionId, startedAt, result, drift);
  return view.finished(deletionOutcome('session.delete', result, { sessionId }, drift));
}

/** A delete is a compensation of everything, so it is audited like one (`ratchet agent audit`). */
async function auditDeletion(
  operation: 'agent.delete' | 'session.delete',
  subjectId: string,
  startedAt: number,
  result: CompensationOutcome,
  drift: string[],
): Promise<void> {
  await audit({
    operationId: workflowInfo().workflowId,
    operation,
    subjectId,
    startedAt,
    finishedAt: Date.now(),
    compensations: result.compensations,
    cleanupCompleteness: result.cleanupCompleteness,
    drift,
  });
}

/** After a delete: what of the agent or session is still there (empty when it is all gone). */
async function leftovers(before: OperationSnapshot): Promise<string[]> {
  try {
    return deletionLeftovers(before, await reads.resnapshotOperation({ before, pids: [] }));
  } catch (e) {
    return [`cannot verify: ${failureMessage(e)}`];
  }
}

function deletionOutcome(
  operation: 'agent.delete' | 'session.delete',
  result: CompensationOutcome,
  resources: Record<string, string>,
  drift: string[],
): OperationOutcome {
  return {
    workflowId: workflowInfo().workflowId,
    operation,
    // A delete that left something behind did not complete, whatever each step said.
    status:
      result.status === 'compensated' && drift.length === 0
        ? 'completed'
        : 'compensation_incomplete',
    failedStep: result.compensations.find((c) => c.status === 'failed')?.actionType ?? null,
    error: result.compensations.find((c) => c.status === 'failed')?.error ?? null,
    steps: result.compensations.map((c) => ({
      name: c.actionType,
      status: c.status === 'failed' ? 'failed' : 'completed',
      durationMs: c.durationMs,
      error: c.error,
    })),
    compensations: result.compensations,
    cleanupCompleteness: result.cleanupCompleteness,
    registryDrift: drift,
    resources,
  };
}
