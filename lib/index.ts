/**
 * `ratchet` — the workflow-safe parts: the saga engine and the pure judge.
 * Clients and workers have their own entry points (`ratchet/client`,
 * `ratchet/worker`) so workflow bundles never pull in Node-only code.
 */
export * from './saga';
export * from './judge';
