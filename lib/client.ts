/**
 * `ratchet/client` — typed client functions: evolution cycles (start, watch,
 * approve, reject, roll back), agents and sessions (create, delete, list) and
 * pipelines. Each takes a `@temporalio/client` `Client` you connect yourself,
 * or one from {@link connectClient} with ratchet's settings.
 *
 *   import { Client, Connection } from '@temporalio/client';
 *   import { resolveEvolutionConfig, startEvolution, evolutionResult } from 'ratchet/client';
 *   const client = new Client({ connection: await Connection.connect() });
 *   const handle = await startEvolution(client, 'ratchet', resolveEvolutionConfig({ ... }));
 *   console.log(await evolutionResult(client, handle.workflowId));
 */
export * from '../client/evolution';
export { subscribeEvolutionEvents, type EvolutionSubscription } from '../client/evolutionSubscribe';
export * from '../client/operations';
export * from '../client/pipelines';
export * from '../client/health';
export { withFaults } from '../client/faults';
export { stepFault, type Fault, type FaultPlan } from '../domain/faults';
export { connectClient, connectionOptions } from '../client/connection';
export { loadSettings, type Settings } from '../config/settings';
export { ensureSearchAttributes, missingSearchAttributes } from '../client/admin';
export type { EvolutionConfig, EvolutionConfigInput } from '../domain/evolution/config';
export type {
  ApproveInput,
  CycleState,
  RejectInput,
  RollbackRequest,
} from '../domain/evolution/operator';
export type {
  CycleResult,
  CycleStatus,
  IterationRecord,
  PendingApproval,
} from '../domain/evolution/results';
export type { EvolutionEvent } from '../domain/evolution/events';
export type { AgentCreateInput, OperationOutcome, SessionCreateInput } from '../domain/operations';
export type { CompensationOutcome, CompensationRecord } from '../domain/saga';
export { loadPipelineFile } from '../activities/pipelines/load';
export type { Lane, Pipeline } from '../domain/pipeline';
