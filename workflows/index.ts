// Every workflow the ratchet worker runs. Deterministic code only: no Node
// built-ins, no I/O (ESLint enforces it for this folder).
export * from './health';
