/**
 * `ratchet/saga` — the saga engine for your own workflows. Deterministic
 * workflow code: it imports only `@temporalio/workflow` and pure domain logic.
 *
 *   import { Saga } from 'ratchet/saga';
 *   const saga = new Saga();
 *   saga.register({ actionType: 'cancel_hotel', resourceId: id, priority: 10,
 *                   activity: 'cancelHotel', args: [id] });   // before the step
 *   try { await bookHotel(id); saga.clear(); }
 *   catch (err) { const outcome = await saga.compensate(); ... }
 */
export {
  Saga,
  type CompensationRetry,
  type CompensationSpec,
  type NothingToUndo,
  type SagaOptions,
} from '../workflows/saga/engine';
export {
  cleanupCompleteness,
  compensationOrder,
  type CompensationOutcome,
  type CompensationRecord,
  type CompensationStatus,
  type SagaStatus,
} from '../domain/saga';
