/**
 * `evolutionCycle`: runs iterations of one module until a stop rule, owns
 * the event log and every operator interaction (approve, reject, rollback,
 * pause, resume), and continues-as-new before its history grows large.
 */
import {
  ApplicationFailure,
  CancellationScope,
  allHandlersFinished,
  condition,
  continueAsNew,
  executeChild,
  isCancellation,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { defineSearchAttributeKey } from '@temporalio/common';
import type { MetricValues } from '../../activities/evolution/evaluation';
import { EvolutionConfig, type EvolutionConfigInput } from '../../domain/evolution/config';
import type { EvolutionEvent, EvolutionEventType } from '../../domain/evolution/events';
import {
  ApproveInput,
  RejectInput,
  RollbackRequest,
  type CycleState,
} from '../../domain/evolution/operator';
import { scalarHistoryEntry } from '../../domain/evolution/judging';
import type {
  CycleResult,
  CycleStatus,
  IterationRecord,
  PendingApproval,
} from '../../domain/evolution/results';
import { activeVersion as activeVersionOf, rollbackTarget } from '../../domain/lineage';
import type { VersionRecord } from '../../domain/versions';
import { commands, delivery, patches, store } from './activities';
import type { StepContext } from './context';
import {
  acceptVersion,
  evolutionIteration,
  iterationWorkflowId,
  type IterationOutcome,
} from './iteration';
import {
  approveUpdate,
  eventsQuery,
  iterationProgressSignal,
  lineageQuery,
  pauseUpdate,
  rejectUpdate,
  requestRollbackUpdate,
  resumeUpdate,
  statusQuery,
} from './messages';
import { versionMetrics } from './metrics';
import { rollbackWithRecovery } from './rollback';

const STATE_KEY = defineSearchAttributeKey('RatchetState', 'KEYWORD');

interface HumanDecision {
  approve: boolean;
  by: string;
  note?: string;
}
const HISTORY_WINDOW = 20;

/** What survives continue-as-new. */
export interface CarriedState {
  iterationsDone: number;
  records: IterationRecord[];
  events: EvolutionEvent[];
  seq: number;
  flushedSeq: number;
  active: VersionRecord;
  baselineMetrics: MetricValues | null;
  history: Array<Record<string, number>>;
  patchQueue: string[] | null;
  consecutiveRejections: number;
  cleanCounts: Record<string, number>;
  paused: boolean;
}

export interface CycleInput {
  config: EvolutionConfigInput;
  carried?: CarriedState;
}

export async function evolutionCycle(input: CycleInput): Promise<CycleResult> {
  const parsed = EvolutionConfig.safeParse(input.config);
  if (!parsed.success) {
    throw ApplicationFailure.create({
      type: 'InvalidEvolutionInput',
      message: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '),
      nonRetryable: true,
    });
  }
  const config = parsed.data;
  const workflowId = workflowInfo().workflowId;
  const carried = input.carried;

  // ---- state ----
  let state: CycleState = carried?.paused ? 'paused' : 'running';
  let step = 'starting';
  let iteration = carried?.iterationsDone ?? 0;
  let stopReason: string | null = null;
  const records: IterationRecord[] = carried?.records ?? [];
  const events: EvolutionEvent[] = carried?.events ?? [];
  let seq = carried?.seq ?? 0;
  let flushedSeq = carried?.flushedSeq ?? 0;
  let lineage: VersionRecord[] = [];
  let pending: (PendingApproval & { candidate: VersionRecord }) | null = null;
  let humanDecision: HumanDecision | undefined;
  let rollbackRequest: RollbackRequest | undefined;
  // Handlers change these between awaits; reading through functions keeps TypeScript from
  // narrowing them to what they were before the await.
  const decisionNow = (): HumanDecision | undefined => humanDecision;
  const rollbackNow = (): RollbackRequest | undefined => rollbackRequest;
  const stateNow = (): CycleState => state;
  let resumeRequested = false;
  let paused = carried?.paused ?? false;
  let childScope: CancellationScope | undefined;
  let active!: VersionRecord;

  const emit = (
    type: EvolutionEventType,
    data: Record<string, unknown> = {},
    at?: string,
    iter?: number | null,
  ) => {
    events.push({
      seq: ++seq,
      type,
      at: at ?? new Date().toISOString(),
      moduleId: config.moduleId,
      iteration: iter === undefined ? iteration || null : iter,
      data,
    });
  };
  const setState = (next: CycleState) => {
    if (state === next) return;
    state = next;
    upsertSearchAttributes([{ key: STATE_KEY, value: next }]);
  };
  const ctx: StepContext = { config, iteration: null, emit, step: (s) => (step = s) };
  const flush = async () => {
    const batch = events.filter((e) => e.seq > flushedSeq);
    if (!batch.length) return;
    await delivery.recordEvents({ events: batch, jsonl: config.sinks.jsonl });
    if (config.sinks.webhook)
      await delivery.postEventsToWebhook({ events: batch, url: config.sinks.webhook });
    flushedSeq = batch[batch.length - 1]!.seq;
  };
  const refreshLineage = async () => {
    lineage = await store.getLineage({ moduleId: config.moduleId });
    versionMetrics().lineageDepth.set(lineage.length, { module_id: config.moduleId });
  };

  // ---- handlers ----
  setHandler(statusQuery, (): CycleStatus => ({
    workflowId,
    moduleId: config.moduleId,
    state,
    iteration,
    step,
    activeVersion: (active as VersionRecord | undefined)?.version ?? null,
    pendingApproval: pending ? withoutCandidate(pending) : null,
    stopReason,
  }));
  setHandler(lineageQuery, () => lineage);
  setHandler(eventsQuery, (opts) => events.filter((e) => e.seq > (opts?.sinceSeq ?? 0)));
  setHandler(iterationProgressSignal, (p) => {
    if (p.step) step = p.step;
    if (p.event) emit(p.event.type, p.event.data, p.event.at, p.iteration);
  });
  setHandler(
    approveUpdate,
    (req) => {
      humanDecision = { approve: true, by: req.by, note: req.note };
      emit('OPERATOR_ACTION', { action: 'approve', by: req.by, note: req.note ?? null });
      return { accepted: true, state, message: `approved ${pending?.version} by ${req.by}` };
    },
    {
      validator: (req) => {
        ApproveInput.parse(req);
        if (!pending) throw new Error('nothing is waiting for approval');
      },
    },
  );
  setHandler(
    rejectUpdate,
    (req) => {
      humanDecision = { approve: false, by: req.by, note: req.reason };
      emit('OPERATOR_ACTION', { action: 'reject', by: req.by, reason: req.reason });
      return { accepted: true, state, message: `rejected ${pending?.version} by ${req.by}` };
    },
    {
      validator: (req) => {
        RejectInput.parse(req);
        if (!pending) throw new Error('nothing is waiting for approval');
      },
    },
  );
  setHandler(
    requestRollbackUpdate,
    (req) => {
      rollbackRequest = req;
      emit('OPERATOR_ACTION', { action: 'requestRollback', ...req });
      childScope?.cancel();
      return {
        accepted: true,
        state,
        message: `rollback${req.toVersion ? ` to ${req.toVersion}` : ''} requested`,
      };
    },
    {
      validator: (req) => {
        RollbackRequest.parse(req);
        if (state === 'completed' || state === 'failed') throw new Error(`the cycle is ${state}`);
        if (rollbackRequest) throw new Error('a rollback is already in progress');
        if (req.toVersion) {
          const target = lineage.find((v) => v.version === req.toVersion);
          if (!target)
            throw new Error(`no version ${req.toVersion} in ${config.moduleId}'s lineage`);
          if (['quarantined', 'rejected', 'rolled_back'].includes(target.status)) {
            throw new Error(`${req.toVersion} is ${target.status}: not a safe rollback target`);
          }
        }
      },
    },
  );
  setHandler(
    pauseUpdate,
    () => {
      paused = true;
      emit('OPERATOR_ACTION', { action: 'pause' });
      return { accepted: true, state, message: 'the cycle pauses before its next iteration' };
    },
    {
      validator: () => {
        if (paused) throw new Error('already paused');
        if (state === 'completed' || state === 'failed') throw new Error(`the cycle is ${state}`);
      },
    },
  );
  setHandler(
    resumeUpdate,
    () => {
      emit('OPERATOR_ACTION', { action: 'resume', from: state });
      if (state === 'needs_attention') resumeRequested = true;
      paused = false;
      return { accepted: true, state, message: 'resumed' };
    },
    {
      validator: () => {
        if (!paused && state !== 'needs_attention')
          throw new Error(`nothing to resume: the cycle is ${state}`);
      },
    },
  );

  // ---- setup (first run only) ----
  let baselineMetrics = carried?.baselineMetrics ?? null;
  let history = carried?.history ?? [];
  let patchQueue = carried?.patchQueue ?? null;
  let consecutiveRejections = carried?.consecutiveRejections ?? 0;
  const cleanCounts: Record<string, number> = carried?.cleanCounts ?? {};
  const run = commands(config.evaluation.commandTimeoutSec);
  const evalArgs = { workspace: config.workspace, timeoutSec: config.evaluation.commandTimeoutSec };

  if (carried) {
    active = carried.active;
    await refreshLineage();
  } else {
    upsertSearchAttributes([{ key: STATE_KEY, value: state }]);
    step = 'baseline';
    await refreshLineage();
    const existing = activeVersionOf(lineage);
    if (existing) active = existing;
    else {
      active = await store.createCheckpoint({
        workspace: config.workspace,
        moduleId: config.moduleId,
        parentVersion: null,
        status: 'active',
        tags: ['baseline'],
        metadata: { reason: 'baseline' },
      });
      versionMetrics().checkpoints.add(1, { module_id: config.moduleId });
      emit('CHECKPOINT_CREATED', {
        version: active.version,
        checkpointId: active.checkpointId,
        baseline: true,
      });
    }
    const tests = await run.runTests({ ...evalArgs, command: config.evaluation.test });
    if (!tests.passed) {
      stopReason = `the baseline (${active.version}) fails its tests: ${tests.outputTail.slice(-300)}`;
      setState('failed');
      emit('CYCLE_COMPLETED', { state, stopReason });
      await flush();
      return result();
    }
    if (config.evaluation.metrics) {
      baselineMetrics = await run.collectMetrics({
        ...evalArgs,
        command: config.evaluation.metrics,
      });
      history = [scalarHistoryEntry(baselineMetrics)];
    }
    await refreshLineage();
    if (!lineage.some((v) => v.tags.includes('stable'))) {
      active = await store.tagVersion({
        moduleId: config.moduleId,
        version: active.version,
        tag: 'stable',
      });
      emit('VERSION_TAGGED_STABLE', {
        version: active.version,
        reason: 'baseline passes its tests',
      });
    }
    if (config.candidate.kind === 'patches') {
      patchQueue = await patches.listPatches({ dir: config.candidate.dir });
    }
    emit('CYCLE_STARTED', {
      active: active.version,
      candidates: config.candidate.kind === 'patches' ? (patchQueue?.length ?? 0) : 'mutator',
      iterations: config.iterations,
    });
    await refreshLineage();
    await flush();
  }

  function result(): CycleResult {
    return {
      workflowId,
      moduleId: config.moduleId,
      state,
      finalVersion: (active as VersionRecord | undefined)?.version ?? null,
      stopReason: stopReason ?? '',
      iterations: records,
      lineage,
      events,
    };
  }

  /** An operator's rollback: to the named version, else to the nearest safe one before the active. */
  async function manualRollback(req: RollbackRequest): Promise<boolean> {
    await refreshLineage();
    const target = req.toVersion
      ? lineage.find((v) => v.version === req.toVersion)
      : rollbackTarget(lineage, { from: active.version, exclude: [active.version] });
    if (!target) {
      emit('ROLLBACK_FAILED', {
        reason: 'no safe rollback target',
        requested: req.toVersion ?? null,
      });
      return false;
    }
    const previous = active;
    const outcome = await rollbackWithRecovery(ctx, target, `manual: ${req.reason}`);
    if (outcome.ok && outcome.version) {
      if (previous.version !== outcome.version.version && previous.status !== 'quarantined') {
        await store.setVersionStatus({
          moduleId: config.moduleId,
          version: previous.version,
          status: 'rolled_back',
        });
      }
      active = outcome.version;
      baselineMetrics = null; // re-measured below
      if (config.evaluation.metrics) {
        baselineMetrics = await run.collectMetrics({
          ...evalArgs,
          command: config.evaluation.metrics,
        });
      }
    }
    await refreshLineage();
    return outcome.ok;
  }

  /** Park until an operator rolls back somewhere good or says the workspace is fixed. */
  async function awaitOperator(): Promise<void> {
    setState('needs_attention');
    step = 'needs-attention';
    await flush();
    for (;;) {
      await condition(() => rollbackRequest !== undefined || resumeRequested);
      if (rollbackRequest) {
        const req = rollbackRequest;
        const ok = await manualRollback(req);
        rollbackRequest = undefined;
        await flush();
        if (ok) break;
        continue;
      }
      // Resumed: the operator fixed the workspace by hand; it becomes the active version.
      resumeRequested = false;
      const cp = await store.createCheckpoint({
        workspace: config.workspace,
        moduleId: config.moduleId,
        parentVersion: active.version,
        metadata: { reason: 'operator resumed after manual repair' },
      });
      active = await store.setVersionStatus({
        moduleId: config.moduleId,
        version: cp.version,
        status: 'active',
      });
      if (config.evaluation.metrics) {
        baselineMetrics = await run.collectMetrics({
          ...evalArgs,
          command: config.evaluation.metrics,
        });
      }
      break;
    }
    await refreshLineage();
    setState(paused ? 'paused' : 'running');
  }

  /** A candidate waits for a human: approve → accept; reject or time out → roll back. */
  async function awaitHuman(
    outcome: Extract<IterationOutcome, { kind: 'needs_human' }>,
  ): Promise<void> {
    const deadlineMs = Date.now() + config.approvalTimeoutSec * 1000;
    pending = {
      iteration: outcome.record.index,
      version: outcome.candidate.version,
      compatibility: outcome.compatibility?.level ?? null,
      rationale: outcome.compatibility?.rationale ?? [],
      reason: outcome.record.reason,
      kind: outcome.reason,
      deadline: new Date(deadlineMs).toISOString(),
      candidate: outcome.candidate,
    };
    humanDecision = undefined;
    setState(outcome.reason === 'approval' ? 'pending_approval' : 'inconclusive');
    step = 'awaiting-approval';
    versionMetrics().pendingApprovals.set(1, { module_id: config.moduleId });
    emit('APPROVAL_REQUESTED', {
      version: pending.version,
      kind: outcome.reason,
      compatibility: pending.compatibility,
      rationale: pending.rationale,
      deadline: pending.deadline,
    });
    await flush();
    const answered = await condition(
      () => humanDecision !== undefined || rollbackRequest !== undefined,
      config.approvalTimeoutSec * 1000,
    );
    let decision = decisionNow();
    if (!answered) {
      decision = { approve: config.approvalTimeoutOutcome === 'approve', by: 'timeout' };
      emit('APPROVAL_TIMED_OUT', {
        version: pending.version,
        outcome: config.approvalTimeoutOutcome,
      });
    }
    const record = outcome.record;
    const ctxIter: StepContext = { ...ctx, iteration: record.index };
    versionMetrics().pendingApprovals.set(0, { module_id: config.moduleId });
    const candidate = pending.candidate;
    pending = null;
    setState(paused ? 'paused' : 'running');
    if (decision?.approve) {
      emit('APPROVAL_GRANTED', {
        version: candidate.version,
        by: decision.by,
        note: decision.note ?? null,
      });
      active = await acceptVersion(ctxIter, candidate, `approved by ${decision.by}`);
      record.decision = 'accepted';
      record.reason = `approved by ${decision.by}`;
      if (outcome.metrics) acceptMetrics(outcome.metrics);
      consecutiveRejections = 0;
    } else {
      if (decision)
        emit('APPROVAL_REJECTED', {
          version: candidate.version,
          by: decision.by,
          reason: decision.note,
        });
      await store.setVersionStatus({
        moduleId: config.moduleId,
        version: candidate.version,
        status: 'rejected',
      });
      record.decision = 'rejected';
      record.reason = decision
        ? `rejected by ${decision.by}${decision.note ? `: ${decision.note}` : ''}`
        : 'rolled back by operator';
      record.rollbackPerformed = true;
      consecutiveRejections++;
      if (!rollbackNow()) {
        const rb = await rollbackWithRecovery(ctxIter, outcome.active, record.reason);
        if (rb.ok && rb.version) active = rb.version;
        else await awaitOperator();
      }
    }
    emit(
      'ITERATION_COMPLETED',
      { decision: record.decision, reason: record.reason },
      undefined,
      record.index,
    );
  }

  function acceptMetrics(metrics: MetricValues): void {
    baselineMetrics = metrics;
    history = [...history, scalarHistoryEntry(metrics)].slice(-HISTORY_WINDOW);
  }

  // ---- the loop ----
  let iterationsThisRun = 0;
  for (;;) {
    if (paused) {
      setState('paused');
      step = 'paused';
      await flush();
      await condition(() => !paused || rollbackRequest !== undefined);
      setState('running');
    }
    if (rollbackRequest) {
      const ok = await manualRollback(rollbackRequest);
      rollbackRequest = undefined;
      if (!ok) await awaitOperator();
      await flush();
      continue;
    }
    if (iteration >= config.iterations) stopReason = `reached ${config.iterations} iterations`;
    else if (consecutiveRejections >= config.maxConsecutiveRejections) {
      stopReason = `${consecutiveRejections} rejections in a row`;
    } else if (patchQueue && iteration >= patchQueue.length) stopReason = 'no more patches';
    if (stopReason) break;

    if (iterationsThisRun >= config.iterationsPerRun || workflowInfo().continueAsNewSuggested) {
      await flush();
      await condition(allHandlersFinished);
      await continueAsNew<typeof evolutionCycle>({
        config: input.config,
        carried: {
          iterationsDone: iteration,
          records,
          events,
          seq,
          flushedSeq,
          active,
          baselineMetrics,
          history,
          patchQueue,
          consecutiveRejections,
          cleanCounts,
          paused,
        },
      });
    }

    iteration++;
    iterationsThisRun++;
    step = 'iteration';
    const base = active;
    let outcome: IterationOutcome | undefined;
    childScope = new CancellationScope();
    try {
      outcome = await childScope.run(() =>
        executeChild(evolutionIteration, {
          workflowId: iterationWorkflowId(workflowId, iteration),
          args: [
            {
              config,
              cycleWorkflowId: workflowId,
              index: iteration,
              active,
              patchFile: patchQueue ? (patchQueue[iteration - 1] ?? null) : null,
              baselineMetrics,
              history,
            },
          ],
          staticSummary: `iteration ${iteration} of ${config.moduleId} on ${active.version}`,
        }),
      );
    } catch (err) {
      if (!isCancellation(err)) throw err;
      records.push({
        index: iteration,
        candidate: patchQueue?.[iteration - 1]?.split('/').pop() ?? 'candidate',
        version: null,
        decision: 'rolled_back',
        reason: `interrupted by operator: ${rollbackNow()?.reason ?? 'cancelled'}`,
        rollbackPerformed: true,
        safetyScore: null,
        compatibility: null,
        metrics: {},
        warnings: [],
      });
      if (!rollbackNow()) throw err;
      continue; // the manual rollback runs at the top of the loop
    } finally {
      childScope = undefined;
    }

    records.push(outcome.record);
    if (outcome.kind === 'finished') {
      active = outcome.active;
      if (outcome.record.decision === 'accepted') {
        consecutiveRejections = 0;
        if (outcome.metrics) acceptMetrics(outcome.metrics);
      } else consecutiveRejections++;
    } else if (outcome.kind === 'needs_human') {
      await awaitHuman(outcome);
    } else {
      consecutiveRejections++;
      await awaitOperator();
    }

    // A version that carried an iteration without trouble earns `stable` after enough of them.
    if (stateNow() !== 'needs_attention' && config.stableAfter > 0) {
      cleanCounts[base.version] = (cleanCounts[base.version] ?? 0) + 1;
      if (cleanCounts[base.version] === config.stableAfter && !base.tags.includes('stable')) {
        const current = lineage.find((v) => v.version === base.version);
        if (current && !['quarantined', 'rejected', 'rolled_back'].includes(current.status)) {
          const tagged = await store.tagVersion({
            moduleId: config.moduleId,
            version: base.version,
            tag: 'stable',
          });
          if (active.version === tagged.version) active = tagged;
          emit('VERSION_TAGGED_STABLE', {
            version: base.version,
            cleanIterations: config.stableAfter,
          });
        }
      }
    }
    await refreshLineage();
    await flush();
  }

  setState('completed');
  step = 'done';
  emit('CYCLE_COMPLETED', { finalVersion: active.version, stopReason, iterations: records.length });
  await flush();
  await condition(allHandlersFinished);
  return result();
}

function withoutCandidate(p: PendingApproval & { candidate: VersionRecord }): PendingApproval {
  const { candidate: _candidate, ...rest } = p;
  return rest;
}
