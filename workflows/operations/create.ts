/**
 * Creating an agent or a session: each step registers its compensation
 * (priority, timeout) before it runs; a failure or cancellation compensates
 * in priority order and proves what was undone (createRun.ts).
 */
import { proxyActivities, setHandler, uuid4, workflowInfo } from '@temporalio/workflow';
import type { AgentActivities } from '../../activities/agents';
import {
  AGENT_STEPS,
  AgentCreateInput,
  SESSION_STEPS,
  SessionCreateInput,
  type OperationOutcome,
} from '../../domain/operations';
import {
  addTemporaryFileCleanup,
  outcomeQuery,
  parse,
  reads,
  stepActivities,
  withoutLegacyFaultKeys,
} from './common';
import { CreateRun } from './createRun';

export async function agentCreate(raw: AgentCreateInput): Promise<OperationOutcome> {
  const input = parse(AgentCreateInput, withoutLegacyFaultKeys(raw));
  const agentId = `${input.name}-${uuid4().slice(0, 8)}`;
  const acts = stepActivities(input.stepTimeoutMs);
  const health = proxyActivities<AgentActivities>({
    startToCloseTimeout: input.healthTimeoutMs + input.stepTimeoutMs,
    retry: { maximumAttempts: 1 },
  });
  // The outcome query answers from the start (null until the run exists).
  const live: { run?: CreateRun } = {};
  setHandler(outcomeQuery, () => live.run?.published ?? null);
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
  const run = (live.run = new CreateRun({
    base,
    subjectId: agentId,
    stepTimeoutMs: input.stepTimeoutMs,
    title: `create agent ${input.name}`,
    steps: AGENT_STEPS.filter((s) => s !== 'create_worktree' || input.repo),
    parallelCompensation: input.parallelCompensation,
  }));
  const { op, saga } = run;
  const undo = run.undo.bind(run);

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
      () => acts.reserveAgentRecord({ agentId, name: input.name, repo: input.repo ?? null }),
    );
    await op.run(
      'allocate_resources',
      () =>
        undo('release_quota', 80, 'releaseAgentQuota', { agentId }, 'release the quota booking'),
      () =>
        acts.allocateAgentResources({ agentId, memoryMb: input.memoryMb, limits: input.limits }),
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
        () => acts.createAgentWorktree({ agentId, repo }),
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
      () => acts.createAgentScratch({ agentId }),
    );
    resources.sessionDir = scratch.sessionDir;
    const state = await op.run(
      'persist_state',
      () => undo('remove_state', 70, 'removeAgentState', { agentId }, 'remove the state file'),
      () => acts.persistAgentState({ agentId, name: input.name }),
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
          agentId,
          command: input.command ?? null,
          cwd: (resources.worktree as string | null) ?? null,
        }),
    );
    resources.pid = proc.pid;
    await op.run(
      'health_check',
      () => undefined,
      () => health.checkAgentHealth({ agentId, timeoutMs: input.healthTimeoutMs }),
    );
    await acts.activateAgent({ agentId });
    return run.completed();
  } catch (err) {
    return run.failed(err, before, () => [resources.pid as number | null]);
  }
}

export async function sessionCreate(raw: SessionCreateInput): Promise<OperationOutcome> {
  const input = parse(SessionCreateInput, withoutLegacyFaultKeys(raw));
  const sessionId = `${input.name}-${uuid4().slice(0, 8)}`;
  const acts = stepActivities(input.stepTimeoutMs);
  // The outcome query answers from the start (null until the run exists).
  const live: { run?: CreateRun } = {};
  setHandler(outcomeQuery, () => live.run?.published ?? null);
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
  const run = (live.run = new CreateRun({
    base,
    subjectId: sessionId,
    stepTimeoutMs: input.stepTimeoutMs,
    title: `create session ${input.name}`,
    steps: SESSION_STEPS.filter((s) => s !== 'git_integration' || input.repo),
  }));
  const { op } = run;
  const undo = run.undo.bind(run);
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
      () => acts.reserveSessionRecord({ sessionId, name: input.name, repo: input.repo ?? null }),
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
      () => acts.createSessionDir({ sessionId }),
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
        () => acts.attachSessionGit({ sessionId, repo }),
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
      () => acts.startSessionWatcher({ sessionId }),
    );
    resources.watcherPid = w.watcherPid;
    await acts.activateSession({ sessionId });
    return run.completed();
  } catch (err) {
    return run.failed(err, before, () => [resources.watcherPid as number | null]);
  }
}
