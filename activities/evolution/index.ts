/** The evolution cycle's own activities (checkpoints come from the checkpoint store). */
import { mkdir } from 'node:fs/promises';
import { applyPatch, listPatches, runMutator } from './candidates';
import { collectMetrics, runCheckCommand } from './evaluation';
import { appendEventLog, deliverEvents } from './eventLog';

export const createEvolutionActivities = (deps: { dataDir: string }) => ({
  listPatches: (input: { dir: string }) => listPatches(input.dir),
  applyPatch,
  /** A candidate may remove the workspace itself; a restore needs the directory back first. */
  ensureWorkspaceDir: async (input: { workspace: string }) => {
    await mkdir(input.workspace, { recursive: true });
  },
  runMutator,
  runTests: runCheckCommand,
  runGate: runCheckCommand,
  runSmokeCheck: runCheckCommand,
  collectMetrics,
  appendEventLog: (input: Parameters<typeof appendEventLog>[1]) =>
    appendEventLog(deps.dataDir, input),
  deliverEvents: (input: Parameters<typeof deliverEvents>[1]) => deliverEvents(deps.dataDir, input),
});

export type EvolutionActivities = ReturnType<typeof createEvolutionActivities>;
