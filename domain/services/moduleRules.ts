/**
 * The rules a cycle obeys for a module: its own settings (`ratchet versions
 * config`) combined with the cycle's config. One pure function, so the
 * cycle (workflows/services/cycleService.ts, at its start) and `ratchet
 * evolve start` (before anything starts) refuse exactly the same settings.
 */
import type { EvolutionConfig } from '../evolution/config';
import type { VersionManagerConfig } from '../versions';
import { settingsProblem, UnhonourableSettings, type BreakingSettings } from './breakingPolicy';
import { serviceOf, type ServiceFields, type ServiceSettings } from './settings';

export interface ModuleRules {
  breaking: BreakingSettings;
  service: ServiceSettings | null;
}

/** The cycle config's part these rules read. */
export type CycleRulesInput = Pick<
  EvolutionConfig,
  'moduleId' | 'requireApproval' | 'rejectBreaking' | 'approvalTimeoutOutcome'
> &
  ServiceFields;

/** The module settings' part these rules read. */
export type ModuleRulesInput = Pick<
  VersionManagerConfig,
  'requireApproval' | 'rejectBreaking' | 'autoRollbackOnBreaking'
> &
  ServiceFields;

export const SERVICE_KEYS = [
  'serve',
  'health',
  'healthWindowSec',
  'healthIntervalSec',
  'healthFailureThreshold',
] as const;

/**
 * A flag set in either holds; the config's service keys, when it sets any,
 * replace the module's as a whole (a service is described in one place).
 * Throws UnhonourableSettings, prefixed `module <id>:` and naming the keys,
 * for settings that contradict each other.
 */
export function combineModuleRules(config: CycleRulesInput, module: ModuleRulesInput): ModuleRules {
  const breaking: BreakingSettings = {
    requireApproval: config.requireApproval || module.requireApproval,
    rejectBreaking: config.rejectBreaking || module.rejectBreaking,
    autoRollbackOnBreaking: module.autoRollbackOnBreaking,
    approvalTimeoutOutcome: config.approvalTimeoutOutcome,
  };
  const problem = settingsProblem(breaking);
  if (problem) throw new UnhonourableSettings(`module ${config.moduleId}: ${problem}`);
  const fromConfig = SERVICE_KEYS.some((k) => config[k] !== undefined);
  const fields: ServiceFields = {};
  for (const k of SERVICE_KEYS) {
    const value = fromConfig ? config[k] : module[k];
    if (value !== undefined) (fields as Record<string, unknown>)[k] = value;
  }
  try {
    return { breaking, service: serviceOf(fields) };
  } catch (err) {
    // serviceOf throws ServiceSettingsError (naming the key); anything else is refused alike.
    throw new UnhonourableSettings(`module ${config.moduleId}: ${(err as Error).message}`);
  }
}
