/**
 * Every activity the ratchet worker registers, built from its dependencies so
 * tests can pass real ones pointed at temp dirs.
 */
import { createAgentActivities } from './agents';
import { createCheckpointActivities } from './checkpoints/activities';
import { createEvolutionActivities } from './evolution';
import { createHealthActivities } from './health';
import { createJanitorActivities } from './janitor';
import { createJudgeActivities } from './judge';
import { createPipelineActivities } from './pipelines';
import { createServiceActivities } from './services';

export interface ActivityDeps {
  /** Root of ratchet's own state (registry, checkpoints). */
  dataDir: string;
  taskQueue: string;
}

export const createActivities = (deps: ActivityDeps) => ({
  ...createHealthActivities(deps),
  ...createAgentActivities(deps),
  ...createCheckpointActivities(deps),
  ...createEvolutionActivities(deps),
  ...createPipelineActivities(),
  ...createJanitorActivities(deps),
  ...createServiceActivities(deps),
  ...createJudgeActivities(deps),
});

export type Activities = ReturnType<typeof createActivities>;
