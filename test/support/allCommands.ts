/**
 * Every command module, imported statically: to check the lazy verb table
 * (client/commands/index.ts) against what the modules really register, and
 * for in-process CLI runs, whose errors must be this process's own classes.
 */
import type { Register } from '../../client/commands/index';
import { registerCheckpoint } from '../../client/commands/checkpoint';
import { registerCompletion } from '../../client/commands/completion';
import { registerDev } from '../../client/commands/dev';
import { registerDoctor } from '../../client/commands/doctor';
import { registerEvolve } from '../../client/commands/evolve';
import { registerGc } from '../../client/commands/gc';
import { registerHealth } from '../../client/commands/health';
import { registerJudge } from '../../client/commands/judge';
import { registerAgent, registerSession } from '../../client/commands/operations';
import { registerPipeline } from '../../client/commands/pipeline';
import { registerServe } from '../../client/commands/serve';
import { registerVersions } from '../../client/commands/versions';
import { registerWorker } from '../../client/commands/worker';

export const ALL_COMMANDS: Register[] = [
  registerAgent,
  registerSession,
  registerCheckpoint,
  registerCompletion,
  registerDev,
  registerDoctor,
  registerEvolve,
  registerGc,
  registerHealth,
  registerJudge,
  registerPipeline,
  registerServe,
  registerVersions,
  registerWorker,
];
