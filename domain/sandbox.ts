/**
 * The sandbox every candidate command runs in (test, gates, metrics, smoke,
 * mutator): its settings, the environment allow-list, the bubblewrap argv and
 * the rlimits, and how an ended command is classified. Pure: the activities
 * side (`activities/infra/sandbox.ts`) detects what the machine offers and
 * turns these into a spawn spec.
 *
 * Why: the code a cycle evaluates is unreviewed by definition. It must not be
 * able to read the worker's credentials, reach the Temporal server (and so
 * approve its own change), write into ratchet's data dir or checkpoint store,
 * or outlive its command.
 */
import { z } from 'zod';

/** `required` refuses to run without bubblewrap; `preferred` falls back loudly; `off` runs plain. */
export const SandboxMode = z.enum(['required', 'preferred', 'off']);
export type SandboxMode = z.infer<typeof SandboxMode>;

export const SandboxLimits = z
  .object({
    /** Data segment per process (RLIMIT_DATA) and, where a cgroup is available, the whole tree. @default 4096 */
    memoryMb: z.number().int().min(16).default(4096),
    /** CPU seconds per process (RLIMIT_CPU; SIGXCPU, then SIGKILL 5 s later). @default 900 */
    cpuSec: z.number().int().min(1).default(900),
    /** Processes in the command's tree (pids cgroup; RLIMIT_NPROC when not root). @default 512 */
    processes: z.number().int().min(4).default(512),
    /** stdout and stderr kept, each; past it the command is killed. @default 4_000_000 */
    outputBytes: z.number().int().min(1024).default(4_000_000),
    /** Largest file the command may write (RLIMIT_FSIZE) and the size of its private /tmp. @default 1024 */
    diskWriteMb: z.number().int().min(1).default(1024),
  })
  .strict();
export type SandboxLimits = z.infer<typeof SandboxLimits>;

/** An environment variable name, as POSIX shells accept them. */
const EnvName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'not an environment variable name');

/** The sandbox part of a module's (or cycle's) configuration. */
export const SandboxSettings = z
  .object({
    sandbox: SandboxMode.default('preferred'),
    /** Let commands use the network (the host's, including its loopback). @default false */
    network: z.boolean().default(false),
    /** Variables passed through from the worker's environment besides the defaults, by name. */
    env: z.array(EnvName).default([]),
    limits: SandboxLimits.default(SandboxLimits.parse({})),
    /**
     * Host paths shown read-only even where the sandbox covers them (its
     * private /tmp): a mutator's scripts under /tmp, say.
     */
    expose: z
      .array(
        z.string().refine((p) => p.startsWith('/'), { message: 'expose takes absolute paths' }),
      )
      .default([]),
  })
  .strict();
export type SandboxSettings = z.infer<typeof SandboxSettings>;
export type SandboxSettingsInput = z.input<typeof SandboxSettings>;

export const DEFAULT_SANDBOX_SETTINGS: SandboxSettings = SandboxSettings.parse({});

/**
 * The sandbox part of a larger config (the evolution config spreads these
 * keys); undefined when a config predates them, so the activity's default applies.
 */
export function sandboxOf(config: Partial<SandboxSettings>): SandboxSettings | undefined {
  const { sandbox, network, env, limits, expose } = config;
  if (sandbox === undefined || network === undefined || !env || !limits) return undefined;
  return { sandbox, network, env, limits, expose: expose ?? [] };
}

/** Always passed (when set): what a build needs and nothing that identifies the worker. */
export const DEFAULT_ENV_ALLOW = ['PATH', 'LANG', 'TZ', 'CI'] as const;

/**
 * Names that never pass unless the module config names them: ratchet's and
 * Temporal's own settings, cloud credentials, tokens, keys and passwords.
 */
const SENSITIVE = [
  /^TEMPORAL_/,
  /^RATCHET_/,
  /^(AWS|AZURE|ARM|GOOGLE|GCP|GCLOUD|CLOUDSDK|DIGITALOCEAN|DO|HCLOUD|OCI|ALIBABA|IBM)_/,
  /^(GH|GITHUB|GITLAB|NPM|NODE_AUTH|PYPI|TWINE|DOCKER|HF|HUGGING_FACE|OPENAI|ANTHROPIC)_/,
  /TOKEN/,
  /SECRET/,
  /PASSWORD|PASSWD/,
  /(^|_)(API_?KEY|PRIVATE_KEY|ACCESS_KEY|CREDENTIALS?)($|_)/,
  /^SSH_AUTH_SOCK$/,
  /^KUBECONFIG$/,
];

export function isSensitiveEnvName(name: string): boolean {
  const upper = name.toUpperCase();
  return SENSITIVE.some((re) => re.test(upper));
}

/**
 * The command's environment: the defaults and the names the config lists,
 * copied from `source` (the worker's environment); `extra` is what ratchet
 * itself sets for this command (`RATCHET_ITERATION` for a mutator), passed as
 * given — never fill it from the worker's environment. HOME and TMPDIR point
 * into the sandbox.
 */
export function sandboxEnv(input: {
  source: Record<string, string | undefined>;
  named: readonly string[];
  extra?: Record<string, string | undefined>;
  home: string;
  tmp: string;
}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of [...DEFAULT_ENV_ALLOW, ...input.named]) {
    const value = input.source[name];
    if (value !== undefined) env[name] = value;
  }
  for (const [name, value] of Object.entries(input.extra ?? {}))
    if (value !== undefined) env[name] = value;
  env.HOME = input.home;
  env.TMPDIR = input.tmp;
  return env;
}

/** Inside the sandbox: a private tmpfs, and HOME in it. */
export const SANDBOX_TMP = '/tmp';
export const SANDBOX_HOME = '/tmp/home';

/** Inside the sandbox: where the wrapper reports what the command left running. */
export const SANDBOX_REPORT_DIR = '/tmp/.ratchet-report';

/**
 * Runs the user's command (`$1`) as a child, then counts the processes it
 * left in the pid namespace (not pid 1, bwrap's reaper, nor itself; not
 * zombies), kills them all and writes the count to the report dir — after
 * the kill, so nothing the command started can alter the report. The exit
 * status is the command's.
 */
export const SANDBOX_WRAPPER = [
  '/bin/sh -c "$1"; rc=$?',
  'n=0',
  'for p in /proc/[0-9]*; do',
  '  p=${p#/proc/}',
  '  if [ "$p" != 1 ] && [ "$p" != $$ ]; then',
  '    s=; read -r s < /proc/$p/stat 2>/dev/null',
  '    case "$s" in *") Z "*|"") ;; *) n=$((n+1)) ;; esac',
  '  fi',
  'done',
  'kill -s KILL -1 2>/dev/null',
  `rm -rf ${SANDBOX_REPORT_DIR}/left`,
  `echo $n > ${SANDBOX_REPORT_DIR}/left`,
  'exit $rc',
].join('\n');

/** The argv bubblewrap runs for a shell command: the wrapper around it. */
export function wrappedShell(command: string): string[] {
  return ['/bin/sh', '-c', SANDBOX_WRAPPER, 'ratchet-sandbox', command];
}

export interface BwrapSpec {
  /** The only writable host directory, bound at the same path. */
  workspace: string;
  cwd: string;
  network: boolean;
  /** Host paths shown read-only on top of the private /tmp; must exist. */
  expose?: readonly string[];
  /** Host directories made invisible (an empty read-only tmpfs over each); must exist. */
  hideDirs: readonly string[];
  /** Host files made invisible (/dev/null over each); must exist. */
  hideFiles: readonly string[];
  /** Size of the private /tmp (bwrap 0.8+; older ones get an unbounded tmpfs). */
  tmpBytes?: number;
  /** Host directory bound writable at SANDBOX_REPORT_DIR, for the wrapper's report. */
  reportDir?: string;
  /** What to run inside, argv. */
  command: readonly string[];
}

/**
 * bubblewrap's argv. Order matters, later mounts cover earlier ones: the host
 * read-only, a private /tmp, the workspace writable on top (it may lie under
 * /tmp), then the hidden paths on top of everything (the data dir may lie
 * inside the workspace).
 */
export function bwrapArgs(spec: BwrapSpec): string[] {
  const args = [
    // Root in the sandbox keeps no capability: no remounting the read-only host.
    '--cap-drop',
    'ALL',
    '--die-with-parent',
    '--new-session',
    // A pid namespace: when the command ends, everything it started is killed,
    // including processes that started their own session.
    '--unshare-pid',
    '--unshare-ipc',
    '--unshare-uts',
    '--unshare-cgroup-try',
    ...(spec.network ? [] : ['--unshare-net']),
    '--ro-bind',
    '/',
    '/',
    '--dev',
    '/dev',
    '--proc',
    '/proc',
    ...(spec.tmpBytes ? ['--size', String(spec.tmpBytes)] : []),
    '--tmpfs',
    SANDBOX_TMP,
    '--dir',
    SANDBOX_HOME,
    ...(spec.expose ?? []).flatMap((p) => ['--ro-bind', p, p]),
    '--bind',
    spec.workspace,
    spec.workspace,
  ];
  if (spec.reportDir) args.push('--bind', spec.reportDir, SANDBOX_REPORT_DIR);
  for (const dir of spec.hideDirs) args.push('--tmpfs', dir, '--remount-ro', dir);
  for (const file of spec.hideFiles) args.push('--ro-bind', '/dev/null', file);
  args.push('--chdir', spec.cwd, '--', ...spec.command);
  return args;
}

/** prlimit(1) flags for the limits; the CPU hard limit leaves 5 s between SIGXCPU and SIGKILL. */
export function prlimitArgs(limits: SandboxLimits, opts: { root: boolean }): string[] {
  const mb = 1024 * 1024;
  const args = [
    `--data=${limits.memoryMb * mb}`,
    `--cpu=${limits.cpuSec}:${limits.cpuSec + 5}`,
    `--fsize=${limits.diskWriteMb * mb}`,
    '--core=0',
  ];
  // The kernel never applies RLIMIT_NPROC to root; it is counted per user
  // otherwise, so it is only set for non-root workers (the pids cgroup covers root).
  if (!opts.root) args.push(`--nproc=${limits.processes}`);
  return args;
}

/** The same limits as a shell prefix, for machines without prlimit(1): dash's ulimit. */
export function ulimitScript(limits: SandboxLimits, opts: { root: boolean }): string {
  const kb = 1024;
  const parts = [
    `ulimit -d ${limits.memoryMb * kb}`,
    `ulimit -t ${limits.cpuSec}`,
    // -f counts 512-byte blocks in dash and bash alike.
    `ulimit -f ${limits.diskWriteMb * 2048}`,
    'ulimit -c 0',
  ];
  if (!opts.root) parts.push(`ulimit -p ${limits.processes}`);
  return `${parts.join(' && ')} && exec "$@"`;
}

/** Why a sandboxed command ended badly, as the cycle reports it (a closed set). */
export const CommandEndReason = z.enum([
  'ok',
  'failed',
  'timeout',
  'resource_limit',
  'sandbox_error',
]);
export type CommandEndReason = z.infer<typeof CommandEndReason>;

export const LimitKind = z.enum(['memory', 'cpu', 'processes', 'output', 'disk']);
export type LimitKind = z.infer<typeof LimitKind>;

export interface CommandEnd {
  exitCode: number | undefined;
  signal: string | undefined;
  timedOut: boolean;
  /** The runner stopped it for printing more than `outputBytes`. */
  outputExceeded: boolean;
  stderrTail: string;
  /** From the cgroup, when one was used. */
  cgroup?: { oomKilled: boolean; pidsLimitHit: boolean };
}

export interface Classified {
  reason: CommandEndReason;
  limit?: LimitKind;
}

/** What allocators and runtimes print when an allocation is refused. */
const OUT_OF_MEMORY = [
  /JavaScript heap out of memory/,
  /Array buffer allocation failed/,
  /Allocation failed/,
  /std::bad_alloc/,
  /^MemoryError/m,
  /Cannot allocate memory/,
  /out of memory/i,
  /fatal error: runtime: out of memory/,
  /memory allocation of \d+ bytes failed/,
];
/** What fork(2) failing looks like from a shell or a runtime. */
const NO_PROCESSES = [/Resource temporarily unavailable/, /EAGAIN/, /Cannot fork/i];
/** Linux numbers of the signals the limits send, as exit statuses. */
const SIGNAL_EXIT: Record<number, string> = { 152: 'SIGXCPU', 153: 'SIGXFSZ', 137: 'SIGKILL' };
/** bwrap's own failures start with its name. */
const BWRAP_ERROR = /^bwrap: /m;

/**
 * Table-driven: a timeout first (ratchet decided it), then the limits in the
 * order of their evidence's reliability (ours, the kernel's signal, the
 * cgroup's counters, the command's own last words), then plain failure.
 */
export function classifyCommandEnd(end: CommandEnd): Classified {
  if (end.timedOut) return { reason: 'timeout' };
  if (end.outputExceeded) return { reason: 'resource_limit', limit: 'output' };
  // bwrap and sh report a child killed by signal N as exit status 128 + N.
  const signal = end.signal ?? SIGNAL_EXIT[end.exitCode ?? -1];
  if (signal === 'SIGXCPU') return { reason: 'resource_limit', limit: 'cpu' };
  if (signal === 'SIGXFSZ') return { reason: 'resource_limit', limit: 'disk' };
  if (end.cgroup?.oomKilled) return { reason: 'resource_limit', limit: 'memory' };
  const ok = end.exitCode === 0 && !end.signal;
  if (ok) return { reason: 'ok' };
  if (end.cgroup?.pidsLimitHit && NO_PROCESSES.some((re) => re.test(end.stderrTail)))
    return { reason: 'resource_limit', limit: 'processes' };
  if (OUT_OF_MEMORY.some((re) => re.test(end.stderrTail)))
    return { reason: 'resource_limit', limit: 'memory' };
  // bwrap exits 1 with "bwrap: …" when it cannot build the sandbox.
  if (end.exitCode === 1 && BWRAP_ERROR.test(end.stderrTail)) return { reason: 'sandbox_error' };
  return { reason: 'failed' };
}
