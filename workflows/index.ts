// Every workflow the ratchet worker runs. Deterministic code only: no Node
// built-ins, no I/O (ESLint enforces it for this folder).
export * from './health';
export { evolutionCycle } from './evolution/cycle';
export { evolutionIteration } from './evolution/iteration';
export {
  agentCreate,
  agentDelete,
  ledgerQuery,
  outcomeQuery,
  sessionCreate,
  sessionDelete,
} from './agents';
export { operatorUpdate, pipelineRun, pipelineStatusQuery } from './pipeline';
export { janitor } from './janitor';
export { serviceCopy } from './services/copy';
export { serviceSwap } from './services/hotSwap';
export { serveModule } from './services/serve';
export { versionRollback } from './versionRollback';
