/**
 * The CLI loads modules with a lazy `require` (so `ratchet --help` loads
 * none of the commands, `agent list` no Temporal client). Node's own `require`
 * cannot load TypeScript, and vitest only transforms what it imports itself,
 * so in-process CLI runs in tests get tsx's CommonJS hook, as bin/ratchet.js
 * has at run time.
 */
import { register } from 'tsx/cjs/api';

register();
