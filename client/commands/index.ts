/**
 * Every CLI command group, loaded only when one of its verbs runs: `ratchet
 * evolve list` loads the evolve module and what it imports, never the worker,
 * the dev server or the TypeScript compiler. `ratchet --help` loads none and
 * lists each verb from the table below (test/unit/cliCommands.test.ts checks it
 * against what the modules register, so the two cannot drift apart).
 */
import type { Command } from 'commander';
import type { GlobalOptions } from '../context';
// Types only (erased): the modules themselves are required when their verb runs.
import type * as CheckpointModule from './checkpoint';
import type * as CompletionModule from './completion';
import type * as DevModule from './dev';
import type * as DoctorModule from './doctor';
import type * as EvolveModule from './evolve';
import type * as GcModule from './gc';
import type * as HealthModule from './health';
import type * as JudgeModule from './judge';
import type * as OperationsModule from './operations';
import type * as PipelineModule from './pipeline';
import type * as ServeModule from './serve';
import type * as VersionsModule from './versions';
import type * as WorkerModule from './worker';

export type Register = (program: Command, globals: () => GlobalOptions) => void;

export interface Verb {
  name: string;
  /** As `ratchet --help` lists it, e.g. `dev [options]`. */
  term: string;
  description: string;
}

export interface CommandGroup {
  verbs: Verb[];
  /** `require`, not a static import: the module loads only when one of its verbs runs. */
  load: () => Register;
}

const verb = (name: string, description: string, term = name): Verb => ({
  name,
  term,
  description,
});

export const COMMAND_GROUPS: CommandGroup[] = [
  {
    verbs: [verb('agent', 'agent operations, each a saga that undoes itself on failure')],
    load: () => (require('./operations') as typeof OperationsModule).registerAgent,
  },
  {
    verbs: [verb('session', 'session operations, each a saga that undoes itself on failure')],
    load: () => (require('./operations') as typeof OperationsModule).registerSession,
  },
  {
    verbs: [
      verb(
        'checkpoint',
        'incremental, verifiable snapshots of a workspace (git object store under the data dir)',
      ),
    ],
    load: () => (require('./checkpoint') as typeof CheckpointModule).registerCheckpoint,
  },
  {
    verbs: [
      verb(
        'completion',
        'print a shell completion script: `source <(ratchet completion bash)`',
        'completion <shell>',
      ),
    ],
    load: () => (require('./completion') as typeof CompletionModule).registerCompletion,
  },
  {
    verbs: [
      verb(
        'dev',
        'run Temporal (dev server + Web UI on :8233, SQLite under the data dir) and a ratchet worker; reuses a server already on TEMPORAL_ADDRESS',
        'dev [options]',
      ),
    ],
    load: () => (require('./dev') as typeof DevModule).registerDev,
  },
  {
    verbs: [
      verb(
        'doctor',
        'check the CLI binary, server, namespace, search attributes, worker, Web UI and the sandbox',
        'doctor [options]',
      ),
    ],
    load: () => (require('./doctor') as typeof DoctorModule).registerDoctor,
  },
  {
    verbs: [
      verb(
        'evolve',
        'evolution cycles: checkpoint → candidate → evaluate → judge → keep or roll back',
      ),
    ],
    load: () => (require('./evolve') as typeof EvolveModule).registerEvolve,
  },
  {
    verbs: [
      verb(
        'gc',
        'find and remove what no live workflow owns (left behind by Terminate)',
        'gc [options]',
      ),
    ],
    load: () => (require('./gc') as typeof GcModule).registerGc,
  },
  {
    verbs: [
      verb('health', 'round trips through a worker'),
      verb('ping', 'same as `ratchet health check`', 'ping [options]'),
    ],
    load: () => (require('./health') as typeof HealthModule).registerHealth,
  },
  {
    verbs: [
      verb(
        'judge',
        'measure baseline and candidate side by side (interleaved rounds) and judge them',
      ),
    ],
    load: () => (require('./judge') as typeof JudgeModule).registerJudge,
  },
  {
    verbs: [
      verb('pipeline', 'step pipelines with a checkpoint per step and recovery plans that run'),
      verb('recovery', 'failure classification, recovery plans and state validation'),
    ],
    load: () => (require('./pipeline') as typeof PipelineModule).registerPipeline,
  },
  {
    verbs: [
      verb(
        'serve',
        "run a module's service under ratchet (supervised, health-probed, hot-swapped)",
        'serve [options] [module]',
      ),
    ],
    load: () => (require('./serve') as typeof ServeModule).registerServe,
  },
  {
    verbs: [verb('versions', 'version lineage: statuses, tags, rollback targets, compatibility')],
    load: () => (require('./versions') as typeof VersionsModule).registerVersions,
  },
  {
    verbs: [
      verb(
        'worker',
        'run a ratchet worker against the configured Temporal server (no dev server)',
        'worker [options]',
      ),
    ],
    load: () => (require('./worker') as typeof WorkerModule).registerWorker,
  },
];

/** Every group's registration, loaded: for shell completion and tests. */
export const allRegistrations = (): Register[] => COMMAND_GROUPS.map((g) => g.load());

/**
 * The verb an argv invokes (`ratchet -c f.json evolve list` → `evolve`;
 * `ratchet help evolve` → `evolve`), or undefined for none (`ratchet --help`).
 */
export function verbOf(argv: readonly string[]): string | undefined {
  const args = argv.slice(2);
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '-c' || arg === '--config') {
      i++; // its value
      continue;
    }
    if (arg.startsWith('-')) continue;
    if (arg === 'help') return args.slice(i + 1).find((a) => !a.startsWith('-'));
    return arg;
  }
  return undefined;
}
