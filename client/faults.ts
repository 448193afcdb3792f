/**
 * A client that stamps a fault plan (domain/faults.ts) on the workflows it
 * starts, as a Temporal header — the demo's `--fail-at` and the fault
 * matrix's kill points, with no switch in the product's inputs.
 */
import type { Client, WorkflowClientInterceptor } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import { FAULT_HEADER, FaultPlan } from '../domain/faults';
import { withWorkflowInterceptor } from './hosts';

export function withFaults(client: Client, plan: FaultPlan | undefined): Client {
  if (!plan || plan.length === 0) return client;
  const payload = defaultPayloadConverter.toPayload(FaultPlan.parse(plan));
  const stamp: WorkflowClientInterceptor = {
    async start(input, next) {
      return next({ ...input, headers: { ...input.headers, [FAULT_HEADER]: payload } });
    },
  };
  // Keeps the client's own interceptors (the owner host, client/hosts.ts).
  return withWorkflowInterceptor(client, stamp);
}
