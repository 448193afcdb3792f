/** The evolution cycle's own activities (checkpoints come from the checkpoint store). */
import { applyPatch, listPatches, runMutator } from './candidates';
import { collectMetrics, runCheckCommand } from './evaluation';
import { postEventsToWebhook, recordEvents } from './events';

export const createEvolutionActivities = () => ({
  listPatches: (input: { dir: string }) => listPatches(input.dir),
  applyPatch,
  runMutator,
  runTests: runCheckCommand,
  runGate: runCheckCommand,
  runSmokeCheck: runCheckCommand,
  collectMetrics,
  recordEvents,
  postEventsToWebhook,
});

export type EvolutionActivities = ReturnType<typeof createEvolutionActivities>;
