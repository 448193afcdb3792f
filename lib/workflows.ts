/**
 * `ratchet/workflows` — ratchet's workflow definitions. Re-export them from
 * your own workflows file so one worker runs yours and ratchet's:
 *
 *   // workflows.ts
 *   export * from 'ratchet/workflows';
 *   export async function myWorkflow() { ... }
 */
export * from '../workflows';
