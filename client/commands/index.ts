/** Every CLI command group; each module registers its own verbs. */
import type { Command } from 'commander';
import type { GlobalOptions } from '../context';
import { registerDev } from './dev';
import { registerDoctor } from './doctor';
import { registerEvolve } from './evolve';
import { registerHealth } from './health';
import { registerWorker } from './worker';

export type Register = (program: Command, globals: () => GlobalOptions) => void;

export const COMMANDS: Register[] = [
  registerDev,
  registerDoctor,
  registerEvolve,
  registerHealth,
  registerWorker,
];
