/**
 * What a host id may be, as plain values rather than a schema: domain/hosts.ts
 * builds its zod schema from them, and config/settings.ts its zod/mini one —
 * which keeps classic zod (most of a CLI cold start) out of the settings.
 */

/** A host id: safe in a task queue name, a search attribute and a file name. */
export const HOST_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;
export const HOST_ID_MESSAGE =
  'expected 1-63 letters, digits, dots, dashes or underscores (starting with a letter or digit)';

/** @default 10 minutes: a host restart fits, a host that is gone is said so. */
export const DEFAULT_HOST_WAIT_MS = 600_000;
