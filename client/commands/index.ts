/** Every CLI command group; each module registers its own verbs. */
import type { Command } from 'commander';
import type { GlobalOptions } from '../context';
import { registerCheckpoint } from './checkpoint';
import { registerAgent, registerSession } from './operations';
import { registerDev } from './dev';
import { registerDoctor } from './doctor';
import { registerEvolve } from './evolve';
import { registerHealth } from './health';
import { registerJudge } from './judge';
import { registerPipeline } from './pipeline';
import { registerVersions } from './versions';
import { registerWorker } from './worker';

export type Register = (program: Command, globals: () => GlobalOptions) => void;

export const COMMANDS: Register[] = [
  registerAgent,
  registerCheckpoint,
  registerDev,
  registerDoctor,
  registerEvolve,
  registerHealth,
  registerJudge,
  registerPipeline,
  registerSession,
  registerVersions,
  registerWorker,
];
