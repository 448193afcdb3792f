/** Messages of the evolution cycle: operator updates (validated), queries, and the child→cycle progress signal. */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type {
  ApproveInput,
  CycleState,
  OperatorCall,
  RejectInput,
  RollbackRequest,
} from '../../domain/evolution/operator';
import type { EvolutionEvent, EvolutionEventType } from '../../domain/evolution/events';
import type { CycleStatus } from '../../domain/evolution/results';
import type { VersionRecord } from '../../domain/versions';

export interface OperatorAck {
  accepted: boolean;
  state: CycleState;
  message: string;
}

export const approveUpdate = defineUpdate<OperatorAck, [ApproveInput]>('approve');
export const rejectUpdate = defineUpdate<OperatorAck, [RejectInput]>('reject');
export const requestRollbackUpdate = defineUpdate<OperatorAck, [RollbackRequest]>(
  'requestRollback',
);
export const pauseUpdate = defineUpdate<OperatorAck, [OperatorCall | undefined]>('pause');
export const resumeUpdate = defineUpdate<OperatorAck, [OperatorCall | undefined]>('resume');

export const statusQuery = defineQuery<CycleStatus>('status');
export const lineageQuery = defineQuery<VersionRecord[]>('lineage');
export const eventsQuery = defineQuery<EvolutionEvent[], [{ sinceSeq?: number }?]>('events');

/** An iteration (child workflow) reports its step and events to the cycle, which owns the log. */
export interface IterationProgress {
  iteration: number;
  step?: string;
  event?: { type: EvolutionEventType; at: string; data: Record<string, unknown> };
}
export const iterationProgressSignal = defineSignal<[IterationProgress]>('iterationProgress');
