/**
 * Filtering events by type with globs (`ROLLBACK_*`, `*_FAILED`): the seeds
 * subscribe to one type (`@subscribe(EventType.ROLLBACK_COMPLETED)`); ratchet
 * takes a type or a glob wherever events are read — `ratchet evolve events
 * --type`, `sinks.types`, `subscribeEvolutionEvents`.
 */
import { z } from 'zod';
import { globToRegExp } from './editScope';
import { EVOLUTION_EVENT_TYPES, type EvolutionEvent, type EvolutionEventType } from './events';

/** A type or a glob over types; one that matches no type is a typo, refused. */
export const EventTypePattern = z
  .string()
  .regex(/^[A-Za-z0-9_*?]+$/, 'an event type or a glob of one (letters, digits, _, * and ?)')
  .transform((p) => p.toUpperCase())
  .refine((p) => EVOLUTION_EVENT_TYPES.some((t) => globToRegExp(p).test(t)), {
    message: `matches no event type (known: ${EVOLUTION_EVENT_TYPES.join(', ')})`,
  });

/** The event types a list of patterns selects, in declaration order. */
export function typesMatching(patterns: readonly string[]): EvolutionEventType[] {
  const res = patterns.map((p) => globToRegExp(p.toUpperCase()));
  return EVOLUTION_EVENT_TYPES.filter((t) => res.some((re) => re.test(t)));
}

/** A predicate for events whose type any pattern matches; no patterns → every event. */
export function eventTypeFilter(
  patterns: readonly string[] | undefined,
): (event: Pick<EvolutionEvent, 'type'>) => boolean {
  if (!patterns?.length) return () => true;
  const wanted = new Set<string>(typesMatching(patterns));
  return (event) => wanted.has(event.type);
}
