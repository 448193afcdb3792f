/**
 * Host routing, as a workflow interceptor (bundled beside interceptors.ts) so
 * no workflow's own code changes: a run whose memo names an owner host
 * (domain/hosts.ts) sends every host-bound activity to that host's queue and
 * hands the owner on to its children and to its next run after
 * continue-as-new. A run without an owner is left exactly as it was.
 *
 *   activity scheduled ── host-bound? ── no ──▶ shared queue (as before)
 *                              │ yes
 *                              ▼
 *             ratchet@<owner>, schedule-to-start = the owner's wait
 *                              │ nobody picked it up in time
 *                              ▼
 *     park: RatchetState=needs_attention, RatchetHumanNeeded, memo says
 *     which host; schedule it again on the SAME queue — never elsewhere —
 *     until the host's worker is back, then restore the state and go on.
 */
import {
  ActivityFailure,
  log,
  TimeoutFailure,
  upsertMemo,
  upsertSearchAttributes,
  workflowInfo,
  type ActivityInput,
  type ContinueAsNewInput,
  type Next,
  type StartChildWorkflowExecutionInput,
  type WorkflowInterceptors,
  type WorkflowOutboundCallsInterceptor,
} from '@temporalio/workflow';
import { TypedSearchAttributes, type SearchAttributePair } from '@temporalio/common';
import {
  HOST_MEMO_KEY,
  hostQueue,
  isHostBound,
  ownerFromMemo,
  WAITING_FOR_HOST_MEMO_KEY,
  waitingForHostText,
  type HostOwner,
} from '../domain/hosts';
import { HOST_KEY, HUMAN_NEEDED_KEY, STATE_KEY } from '../domain/searchAttributes';

function isScheduleToStartTimeout(err: unknown): boolean {
  return (
    err instanceof ActivityFailure &&
    err.cause instanceof TimeoutFailure &&
    err.cause.timeoutType === 'SCHEDULE_TO_START'
  );
}

class HostRouter implements WorkflowOutboundCallsInterceptor {
  /** Activities of this run now waiting for the owner (several can, in parallel). */
  private waiting = 0;
  /** The run's own state before it parked, put back when the host returns. */
  private parkedFrom: { state: string | undefined; humanNeeded: boolean | undefined } | null = null;

  private owner(): HostOwner | undefined {
    return ownerFromMemo(workflowInfo().memo);
  }

  // Not `async`: a run without an owner must get next()'s own promise back, with
  // no extra microtask hops, or command order (and replay of its history) changes.
  scheduleActivity(
    input: ActivityInput,
    next: Next<WorkflowOutboundCallsInterceptor, 'scheduleActivity'>,
  ): Promise<unknown> {
    const owner = this.owner();
    if (!owner || !isHostBound(input.activityType)) return next(input);
    return this.routed(input, next, owner);
  }

  private async routed(
    input: ActivityInput,
    next: Next<WorkflowOutboundCallsInterceptor, 'scheduleActivity'>,
    owner: HostOwner,
  ): Promise<unknown> {
    const queue = hostQueue(workflowInfo().taskQueue, owner.id);
    const options = {
      ...input.options,
      taskQueue: queue,
      scheduleToStartTimeout: owner.waitForHostMs,
    };
    let parkedHere = false;
    try {
      for (;;) {
        try {
          return await next({ ...input, options });
        } catch (err) {
          if (!isScheduleToStartTimeout(err)) throw err;
          const why = waitingForHostText(owner.id, queue, owner.waitForHostMs);
          log.warn(`${input.activityType}: ${why}`, { host: owner.id, queue });
          if (!parkedHere) {
            parkedHere = true;
            this.park(why);
          }
        }
      }
    } finally {
      if (parkedHere) this.unpark();
    }
  }

  startChildWorkflowExecution(
    input: StartChildWorkflowExecutionInput,
    next: Next<WorkflowOutboundCallsInterceptor, 'startChildWorkflowExecution'>,
  ): ReturnType<WorkflowOutboundCallsInterceptor['startChildWorkflowExecution'] & {}> {
    const owner = this.owner();
    if (!owner || input.options.memo?.[HOST_MEMO_KEY] !== undefined) return next(input);
    const { typedSearchAttributes: typed } = input.options;
    const pair: SearchAttributePair = { key: HOST_KEY, value: owner.id };
    return next({
      ...input,
      options: {
        ...input.options,
        memo: { ...input.options.memo, [HOST_MEMO_KEY]: owner },
        typedSearchAttributes:
          typed instanceof TypedSearchAttributes
            ? typed.updateCopy([pair])
            : [...(typed ?? []), pair],
      },
    });
  }

  continueAsNew(
    input: ContinueAsNewInput,
    next: Next<WorkflowOutboundCallsInterceptor, 'continueAsNew'>,
  ): Promise<never> {
    const owner = this.owner();
    if (!owner || input.options.memo?.[HOST_MEMO_KEY] !== undefined) return next(input);
    // Given explicitly: the next run must not depend on what the server carries over.
    const { [WAITING_FOR_HOST_MEMO_KEY]: _waiting, ...memo } = workflowInfo().memo ?? {};
    return next({
      ...input,
      options: {
        ...input.options,
        memo: { ...memo, ...input.options.memo, [HOST_MEMO_KEY]: owner },
      },
    });
  }

  private park(why: string): void {
    this.waiting++;
    if (this.waiting > 1) return;
    const attributes = workflowInfo().typedSearchAttributes;
    this.parkedFrom = {
      state: attributes.get(STATE_KEY),
      humanNeeded: attributes.get(HUMAN_NEEDED_KEY),
    };
    upsertSearchAttributes([
      { key: STATE_KEY, value: 'needs_attention' },
      { key: HUMAN_NEEDED_KEY, value: true },
    ]);
    upsertMemo({ [WAITING_FOR_HOST_MEMO_KEY]: why });
  }

  private unpark(): void {
    this.waiting--;
    if (this.waiting > 0 || !this.parkedFrom) return;
    const { state, humanNeeded } = this.parkedFrom;
    this.parkedFrom = null;
    upsertMemo({ [WAITING_FOR_HOST_MEMO_KEY]: undefined });
    // The run may have moved on meanwhile (a parallel step set its own state): keep that.
    const attributes = workflowInfo().typedSearchAttributes;
    if (attributes.get(STATE_KEY) !== 'needs_attention') return;
    upsertSearchAttributes([
      { key: STATE_KEY, value: state ?? null },
      { key: HUMAN_NEEDED_KEY, value: humanNeeded ?? null },
    ]);
  }
}

export const interceptors = (): WorkflowInterceptors => ({
  outbound: [new HostRouter()],
});
