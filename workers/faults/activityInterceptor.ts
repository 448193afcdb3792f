/**
 * The worker side of fault injection: an activity inbound interceptor that
 * reads the fault plan header and fails, stalls or kills the worker at the
 * named point. Production activities never see it; a run without a plan
 * passes straight through.
 */
import { open } from 'node:fs/promises';
import { ApplicationFailure, type Context } from '@temporalio/activity';
import { defaultPayloadConverter } from '@temporalio/common';
import type { ActivityInterceptorsFactory, ActivityExecuteInput, Next } from '@temporalio/worker';
import type { ActivityInboundCallsInterceptor } from '@temporalio/worker';
import { FAULT_HEADER, FaultPlan, type Fault } from '../../domain/faults';

/** Creates the marker exclusively: true the first time only, across processes. */
async function firstTime(file: string | undefined): Promise<boolean> {
  if (!file) return true;
  try {
    await (await open(file, 'wx')).close();
    return true;
  } catch {
    return false;
  }
}

async function act(fault: Fault, ctx: Context): Promise<void> {
  const { activityType, attempt, startToCloseTimeoutMs } = ctx.info;
  switch (fault.mode) {
    case 'permanent':
      throw ApplicationFailure.create({
        type: 'InjectedFailure',
        message: `${activityType} failed (injected, permanent)`,
        nonRetryable: true,
      });
    case 'transient':
      if (attempt === 1) {
        throw ApplicationFailure.create({
          type: 'InjectedFailure',
          message: `${activityType} failed (injected, transient, attempt 1)`,
        });
      }
      return;
    case 'timeout':
      // The effect happened; the activity now outlives its timeout, as a hung call would.
      await new Promise((resolve) => setTimeout(resolve, startToCloseTimeoutMs + 2_000));
      return;
    case 'kill':
      if (await firstTime(fault.onceFile)) process.kill(process.pid, 'SIGKILL');
      return;
  }
}

function planOf(input: ActivityExecuteInput): FaultPlan {
  const payload = input.headers[FAULT_HEADER];
  if (!payload) return [];
  return FaultPlan.parse(defaultPayloadConverter.fromPayload(payload));
}

export const faultInterceptor: ActivityInterceptorsFactory = (ctx) => {
  const inbound: ActivityInboundCallsInterceptor = {
    async execute(input, next: Next<ActivityInboundCallsInterceptor, 'execute'>) {
      const { activityType, workflowType } = ctx.info;
      const plan = planOf(input).filter(
        (f) => f.activity === activityType && (!f.workflowType || f.workflowType === workflowType),
      );
      if (plan.length === 0) return next(input);
      for (const f of plan) if (f.phase === 'before') await act(f, ctx);
      const result = await next(input);
      for (const f of plan) if (f.phase === 'after') await act(f, ctx);
      return result;
    },
  };
  return { inbound };
};
