/**
 * What the shared steps (rollback, accept) need from whichever workflow runs
 * them: the config, and a way to emit events into the cycle's log.
 */
import type { EvolutionConfig } from '../../domain/evolution/config';
import type { EvolutionEventType } from '../../domain/evolution/events';

export interface StepContext {
  config: EvolutionConfig;
  iteration: number | null;
  emit(type: EvolutionEventType, data?: Record<string, unknown>): void;
  /** Tell the cycle which step is running (for `status`). */
  step(name: string): void;
}
