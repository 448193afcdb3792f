/**
 * The cycle's operator inbox: queries, and the five updates with their
 * validators. Handlers only record a request in `run.inbox` (and cancel a
 * running iteration for a rollback); the loop and the waits act on it.
 * Manual rollback targets are checked with the one safe-target rule.
 */
import { setHandler } from '@temporalio/workflow';
import { unsafeTargetReason } from '../../domain/lineage';
import {
  ApproveInput,
  OperatorCall,
  RejectInput,
  RollbackRequest,
} from '../../domain/evolution/operator';
import { emit, statusOf, type CycleRun } from './cycleState';
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

function refuseWhenFinished(run: CycleRun): void {
  if (run.state === 'completed' || run.state === 'failed')
    throw new Error(`the cycle is ${run.state}`);
}

function requirePending(run: CycleRun): void {
  if (!run.pending) throw new Error('nothing is waiting for approval');
}

/** Refuses a rollback the cycle cannot do: finished, already rolling back, or an unsafe target. */
export function validateRollback(run: CycleRun, req: RollbackRequest): void {
  RollbackRequest.parse(req);
  refuseWhenFinished(run);
  if (run.inbox.rollbackRequest) throw new Error('a rollback is already in progress');
  if (!req.toVersion) return;
  const target = run.lineage.find((v) => v.version === req.toVersion);
  if (!target) throw new Error(`no version ${req.toVersion} in ${run.config.moduleId}'s lineage`);
  const unsafe = unsafeTargetReason(target);
  if (unsafe) throw new Error(`${unsafe}: not a safe rollback target`);
}

export function installInbox(run: CycleRun): void {
  setHandler(statusQuery, () => statusOf(run));
  setHandler(lineageQuery, () => run.lineage);
  setHandler(eventsQuery, (opts) => run.log.since(opts?.sinceSeq ?? 0));
  setHandler(iterationProgressSignal, (p) => {
    if (p.step) run.step = p.step;
    if (p.event) emit(run, p.event.type, p.event.data, p.iteration, p.event.at);
  });
  const ack = (message: string) => ({ accepted: true, state: run.state, message });

  setHandler(
    approveUpdate,
    (req) => {
      run.inbox.humanDecision = { approve: true, by: req.by, note: req.note };
      emit(run, 'OPERATOR_ACTION', {
        action: 'approve',
        by: req.by,
        identity: req.identity ?? null,
        note: req.note ?? null,
      });
      return ack(`approved ${run.pending?.version} by ${req.by}`);
    },
    { validator: (req) => (ApproveInput.parse(req), requirePending(run)) },
  );
  setHandler(
    rejectUpdate,
    (req) => {
      run.inbox.humanDecision = { approve: false, by: req.by, note: req.reason };
      emit(run, 'OPERATOR_ACTION', {
        action: 'reject',
        by: req.by,
        identity: req.identity ?? null,
        reason: req.reason,
      });
      return ack(`rejected ${run.pending?.version} by ${req.by}`);
    },
    { validator: (req) => (RejectInput.parse(req), requirePending(run)) },
  );
  setHandler(
    requestRollbackUpdate,
    (req) => {
      run.inbox.rollbackRequest = req;
      emit(run, 'OPERATOR_ACTION', { action: 'requestRollback', ...req });
      run.childScope?.cancel();
      return ack(`rollback${req.toVersion ? ` to ${req.toVersion}` : ''} requested`);
    },
    { validator: (req) => validateRollback(run, req) },
  );
  setHandler(
    pauseUpdate,
    (req) => {
      run.inbox.paused = true;
      emit(run, 'OPERATOR_ACTION', {
        action: 'pause',
        by: req?.by ?? null,
        identity: req?.identity ?? null,
      });
      return ack('the cycle pauses before its next iteration');
    },
    {
      validator: (req) => {
        OperatorCall.optional().parse(req);
        if (run.inbox.paused) throw new Error('already paused');
        refuseWhenFinished(run);
      },
    },
  );
  setHandler(
    resumeUpdate,
    (req) => {
      emit(run, 'OPERATOR_ACTION', {
        action: 'resume',
        from: run.state,
        by: req?.by ?? null,
        identity: req?.identity ?? null,
      });
      if (run.state === 'needs_attention') run.inbox.resumeRequested = true;
      run.inbox.paused = false;
      return ack('resumed');
    },
    {
      validator: (req) => {
        OperatorCall.optional().parse(req);
        if (!run.inbox.paused && run.state !== 'needs_attention')
          throw new Error(`nothing to resume: the cycle is ${run.state}`);
      },
    },
  );
}
