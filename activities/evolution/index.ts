/** The evolution cycle's own activities (checkpoints come from the checkpoint store). */
import { mkdir } from 'node:fs/promises';
import { killProcessesInDir } from '../infra/commands';
import { applyPatch, listPatches, runMutator } from './candidates';
import { workerSecrets } from '../infra/sandbox';
import { collectMetrics, runCheckCommand, type CommandInput } from './evaluation';
import { appendEventLog, deliverEvents } from './eventLog';
import { autoCleanup } from './autoCleanup';
import { loadJudgeHistory } from './metricHistory';

export const createEvolutionActivities = (deps: { dataDir: string }) => ({
  listPatches: (input: { dir: string }) => listPatches(input.dir),
  applyPatch,
  /**
   * Before a restore: commands a lost worker left running in the workspace are killed (they
   * could write after the restore), and a workspace the candidate removed is recreated.
   */
  prepareWorkspace: async (input: { workspace: string }) => {
    const killed = await killProcessesInDir(input.workspace);
    await mkdir(input.workspace, { recursive: true });
    return { killed };
  },
  // Candidates' commands never see the data dir (checkpoint store, event logs) nor the worker's secrets.
  runMutator: (input: Parameters<typeof runMutator>[0]) =>
    runMutator(input, workerSecrets(deps.dataDir)),
  runTests: (input: CommandInput) => runCheckCommand(input, workerSecrets(deps.dataDir)),
  runGate: (input: CommandInput) => runCheckCommand(input, workerSecrets(deps.dataDir)),
  runSmokeCheck: (input: CommandInput) => runCheckCommand(input, workerSecrets(deps.dataDir)),
  collectMetrics: (input: CommandInput) => collectMetrics(input, workerSecrets(deps.dataDir)),
  appendEventLog: (input: Parameters<typeof appendEventLog>[1]) =>
    appendEventLog(deps.dataDir, input),
  deliverEvents: (input: Parameters<typeof deliverEvents>[1]) => deliverEvents(deps.dataDir, input),
  // Seeds 000/003, built beside the cycle (not called by it yet: see README "From the seeds").
  autoCleanup: (input: Parameters<typeof autoCleanup>[1]) => autoCleanup(deps.dataDir, input),
  loadJudgeHistory: (input: Parameters<typeof loadJudgeHistory>[1]) =>
    loadJudgeHistory(deps.dataDir, input),
});

export type EvolutionActivities = ReturnType<typeof createEvolutionActivities>;
