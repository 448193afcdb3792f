/**
 * `ratchet evolve start` refuses settings the cycle would refuse at its
 * start, before anything is created: the same domain function the workflow
 * calls (domain/services/moduleRules.ts), over the module's own settings as
 * the store under this data dir holds them.
 */
import { CheckpointStore } from '../../activities/checkpoints';
import type { EvolutionConfig } from '../../domain/evolution/config';
import { UnhonourableSettings } from '../../domain/services/breakingPolicy';
import { combineModuleRules } from '../../domain/services/moduleRules';
import { CliError, ExitCode } from '../output';
import { storeCall } from './storeCli';

/** Throws a CliError (exit 2) naming the contradicting keys. */
export async function refuseContradictions(
  dataDir: string,
  config: EvolutionConfig,
): Promise<void> {
  const module = await storeCall(() => new CheckpointStore(dataDir).readConfig(config.moduleId));
  try {
    combineModuleRules(config, module);
  } catch (err) {
    if (err instanceof UnhonourableSettings)
      throw new CliError(
        `refused, nothing started: ${err.message} (the module's own settings: ratchet versions config ${config.moduleId})`,
        ExitCode.badInput,
      );
    throw err;
  }
}
