/**
 * The fast read path's own bundle (bin/bundle.js), which bin/ratchet.js runs
 * before loading the program: `[-c FILE] evolve list --json`, `[-c FILE]
 * evolve status ID --json` and `[-c FILE] agent|session list --json`, the
 * reads scripts poll, exactly as written (with any other flag, or when the
 * reader cannot answer, the full program runs). The registry lists are what
 * `agent list --json` prints: the registry file read, without the command
 * modules around it.
 */
import { ConfigError, loadSettings } from '../config/settings';
// Types only: the reader (http2, protobufjs) loads only for the reads that call the server.
import type * as FastReadModule from './fastRead';
import { printJson } from './output';
import { listAgents, listSessions } from './registry';

type Read = FastReadModule.FastRead | { kind: 'agents' } | { kind: 'sessions' };

export function fastReadOf(argv: readonly string[]): { config?: string; read: Read } | undefined {
  let args = argv.slice(2);
  let config: string | undefined;
  if (args[0] === '-c' || args[0] === '--config') {
    config = args[1];
    args = args.slice(2);
  } else if (args[0]?.startsWith('--config=')) {
    config = args[0].slice('--config='.length);
    args = args.slice(1);
  }
  if (!args.includes('--json')) return undefined;
  if (args.length === 3 && args[1] === 'list' && (args[0] === 'agent' || args[0] === 'session')) {
    return { config, read: { kind: args[0] === 'agent' ? 'agents' : 'sessions' } };
  }
  if (args[0] !== 'evolve') return undefined;
  const rest = args.slice(1).filter((a) => a !== '--json');
  if (args.length === 3 && rest.length === 1 && rest[0] === 'list') {
    return { config, read: { kind: 'list' } };
  }
  const id = rest[1];
  if (args.length === 4 && rest.length === 2 && rest[0] === 'status' && id && !id.startsWith('-')) {
    return { config, read: { kind: 'status', workflowId: id } };
  }
  return undefined;
}

/** Prints the answer and resolves true, or resolves false: the full program must run. */
export async function runFastRead(argv: readonly string[]): Promise<boolean> {
  const fast = fastReadOf(argv);
  if (!fast) return false;
  let settings;
  try {
    settings = loadSettings({ configFile: fast.config });
  } catch (err) {
    if (err instanceof ConfigError) return false; // the full program reports it
    throw err;
  }
  const { read } = fast;
  const answer =
    read.kind === 'agents'
      ? await listAgents(settings.dataDir)
      : read.kind === 'sessions'
        ? await listSessions(settings.dataDir)
        : await (require('./fastRead') as typeof FastReadModule).fastRead(settings, read);
  if (answer === undefined) return false;
  printJson(answer);
  return true;
}
