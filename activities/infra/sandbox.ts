/**
 * Turns "run this shell command for a candidate" into a spawn spec
 * `{ file, args, env }` that runs it sandboxed, on what this machine offers:
 *
 *   [sh: join the command's cgroup]  →  prlimit (or sh: ulimit)  →  bwrap  →  sh -c COMMAND
 *
 * bubblewrap gives the isolation (read-only host, hidden data dir, no network,
 * pid namespace); rlimits and, where ratchet may create one, a cgroup give the
 * resource bounds. Without bubblewrap (`sandbox: preferred`) the command still
 * gets the scrubbed environment and the limits, and start-up and
 * `ratchet doctor` say it is not isolated; `sandbox: required` refuses.
 * The runner spawns the spec (execa, detached, output capped at
 * `outputBytes`), then calls `finish()` and classifies the end with
 * `classifyCommandEnd` from `domain/sandbox.ts`.
 */
import { existsSync, statSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import path from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import type { execa as Execa } from 'execa' with { 'resolution-mode': 'import' };
import {
  SANDBOX_HOME,
  SANDBOX_TMP,
  bwrapArgs,
  prlimitArgs,
  sandboxEnv,
  ulimitScript,
  type SandboxSettings,
  wrappedShell,
} from '../../domain/sandbox';
import { createCommandCgroup, detectCgroup, type CgroupHost } from './sandboxCgroup';

export interface SandboxHost {
  bwrap: { path: string; version: string; tmpfsSize: boolean } | null;
  /** Why bubblewrap is not used, when it is not. */
  bwrapProblem?: string;
  prlimit: string | null;
  cgroup: CgroupHost | null;
  root: boolean;
}

/** execa is ESM-only: loaded on first use. */
const loadExeca = (): Promise<typeof Execa> => import('execa').then((m) => m.execa);

function onPath(name: string, envPath = process.env.PATH ?? ''): string | null {
  for (const dir of envPath.split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    try {
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // not here
    }
  }
  return null;
}

async function probeBwrap(): Promise<Pick<SandboxHost, 'bwrap' | 'bwrapProblem'>> {
  const file = onPath('bwrap');
  if (!file) return { bwrap: null, bwrapProblem: 'bubblewrap (bwrap) is not installed' };
  const execa = await loadExeca();
  const version = await execa(file, ['--version'], { reject: false, timeout: 10_000 });
  const help = await execa(file, ['--help'], { reject: false, timeout: 10_000 });
  const tmpfsSize = /--size/.test(help.stdout);
  // Namespaces can be forbidden (containers, sysctls): try the real thing once.
  const probe = await execa(
    file,
    bwrapArgs({
      workspace: SANDBOX_TMP,
      cwd: '/',
      network: false,
      hideDirs: [],
      hideFiles: [],
      tmpBytes: tmpfsSize ? 1024 * 1024 : undefined,
      command: ['true'],
    }),
    { reject: false, timeout: 10_000 },
  );
  if (probe.exitCode !== 0)
    return {
      bwrap: null,
      bwrapProblem: `bwrap cannot create a sandbox here: ${String(probe.stderr).trim().split('\n')[0] ?? `exit ${probe.exitCode}`}`,
    };
  return {
    bwrap: { path: file, version: String(version.stdout).trim(), tmpfsSize },
  };
}

let detected: Promise<SandboxHost> | undefined;

/** What this machine offers; probed once per process. */
export function detectSandbox(): Promise<SandboxHost> {
  detected ??= (async () => ({
    ...(await probeBwrap()),
    prlimit: onPath('prlimit'),
    cgroup: await detectCgroup().catch(() => null),
    root: process.getuid?.() === 0,
  }))();
  return detected;
}

/** One line per fact, for start-up logs and `ratchet doctor`; `ok` false means not isolated. */
export function describeSandbox(
  host: SandboxHost,
  mode: SandboxSettings['sandbox'] = 'preferred',
): { ok: boolean; detail: string } {
  const limits = [
    host.prlimit ? 'rlimits via prlimit' : 'rlimits via ulimit',
    host.cgroup
      ? `cgroup ${host.cgroup.version} (memory, processes)`
      : host.root
        ? 'no writable cgroup: process count NOT limited (root ignores RLIMIT_NPROC)'
        : 'no writable cgroup',
  ].join(', ');
  if (mode === 'off')
    return { ok: false, detail: `sandbox off: commands run unisolated; ${limits}` };
  if (host.bwrap)
    return { ok: true, detail: `${host.bwrap.version} at ${host.bwrap.path}; ${limits}` };
  const consequence =
    mode === 'required'
      ? 'sandbox: required, so candidate commands are REFUSED'
      : 'candidate commands are NOT isolated (scrubbed environment and limits only)';
  return {
    ok: false,
    detail: `${host.bwrapProblem ?? 'no bubblewrap'}: ${consequence}; ${limits} — apt-get install bubblewrap`,
  };
}

/** Well-known credential files in a home directory, hidden from every command. */
const HOME_CREDENTIALS = [
  '.aws',
  '.azure',
  '.config/gcloud',
  '.config/gh',
  '.docker/config.json',
  '.git-credentials',
  '.kube',
  '.netrc',
  '.npmrc',
  '.pypirc',
  '.ssh',
];

/**
 * What no command may see besides the module's own hidden paths: ratchet's
 * data dir (the checkpoint store lives in it), its config file (it may hold
 * an API key) and the Temporal TLS files the worker was given.
 */
export function workerSecrets(
  dataDir: string,
  env: Record<string, string | undefined> = process.env,
): string[] {
  return [
    path.resolve(dataDir),
    path.resolve(env.RATCHET_CONFIG ?? 'ratchet.config.json'),
    ...['TEMPORAL_TLS_CERT', 'TEMPORAL_TLS_KEY', 'TEMPORAL_TLS_CA']
      .map((name) => env[name])
      .filter((p): p is string => Boolean(p))
      .map((p) => path.resolve(p)),
  ];
}

export interface SandboxRequest {
  /** The user's shell command (they asked for a shell). */
  command: string;
  /** The only writable place. */
  workspace: string;
  /** Where the command starts; inside the workspace. @default workspace */
  cwd?: string;
  settings: SandboxSettings;
  /** Host paths the command must not see: ratchet's data dir, the checkpoint store, TLS keys. */
  hide: readonly string[];
  /** Variables ratchet itself sets for this command (passed as given: never the worker's environment). */
  extraEnv?: Record<string, string | undefined>;
  /** Where named variables are copied from. @default process.env */
  sourceEnv?: Record<string, string | undefined>;
}

export interface SandboxEvidence {
  oomKilled: boolean;
  pidsLimitHit: boolean;
  leftProcesses: number;
}

export interface PreparedCommand {
  file: string;
  args: string[];
  env: Record<string, string>;
  cwd: string;
  /** What is enforced: `bwrap` (isolated), `limits` (fallback), `off`. */
  isolation: 'bwrap' | 'limits' | 'off';
  /** Cap for stdout and stderr each; the runner kills the command past it. */
  outputBytes: number;
  /**
   * Call once the command has ended: kills leftovers, returns the evidence —
   * the cgroup's counters and, under bubblewrap, how many processes the
   * command left running (killed since).
   */
  finish(): Promise<SandboxEvidence | undefined>;
}

function inside(child: string, parent: string): boolean {
  const rel = path.relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

function splitHidden(paths: readonly string[], workspace: string) {
  const dirs: string[] = [];
  const files: string[] = [];
  for (const p of new Set(paths.map((x) => path.resolve(x)))) {
    if (!existsSync(p)) continue;
    if (inside(workspace, p))
      throw ApplicationFailure.create({
        type: 'SandboxMisconfigured',
        message: `the workspace ${workspace} lies inside ${p}, which commands must not see`,
        nonRetryable: true,
      });
    if (statSync(p).isDirectory()) dirs.push(p);
    else files.push(p);
  }
  return { dirs, files };
}

/** The spawn spec for one command; throws `SandboxUnavailable` when `required` cannot be met. */
export async function prepareSandboxedCommand(
  req: SandboxRequest,
  deps: { host?: SandboxHost } = {},
): Promise<PreparedCommand> {
  const host = deps.host ?? (await detectSandbox());
  const { settings } = req;
  const workspace = path.resolve(req.workspace);
  const cwd = path.resolve(workspace, req.cwd ?? '.');
  if (!inside(cwd, workspace))
    throw ApplicationFailure.create({
      type: 'SandboxMisconfigured',
      message: `the command's directory ${cwd} is outside the workspace ${workspace}`,
      nonRetryable: true,
    });
  if (settings.sandbox === 'required' && !host.bwrap)
    throw ApplicationFailure.create({
      type: 'SandboxUnavailable',
      message: `sandbox: required, but ${host.bwrapProblem ?? 'bubblewrap is missing'} (apt-get install bubblewrap)`,
      nonRetryable: true,
    });
  const isolation = settings.sandbox === 'off' ? 'off' : host.bwrap ? 'bwrap' : 'limits';
  // Without bwrap there is no private /tmp: a fresh directory stands in for HOME and TMPDIR.
  const scratch =
    isolation === 'bwrap' ? undefined : await mkdtemp(path.join(tmpdir(), 'ratchet-cmd-'));
  const removeScratch = async () => {
    if (scratch) await rm(scratch, { recursive: true, force: true });
  };
  const env = sandboxEnv({
    source: req.sourceEnv ?? process.env,
    named: settings.env,
    extra: req.extraEnv,
    home: scratch ?? SANDBOX_HOME,
    tmp: scratch ?? SANDBOX_TMP,
  });
  const shell = ['/bin/sh', '-c', req.command];
  const base = { env, cwd, isolation, outputBytes: settings.limits.outputBytes } as const;
  if (isolation === 'off')
    return {
      ...base,
      file: shell[0]!,
      args: shell.slice(1),
      finish: async () => {
        await removeScratch();
        return undefined;
      },
    };

  let inner = shell;
  let reportDir: string | undefined;
  if (host.bwrap) {
    reportDir = await mkdtemp(path.join(tmpdir(), 'ratchet-report-'));
    const hidden = splitHidden(
      [...req.hide, ...HOME_CREDENTIALS.map((p) => path.join(homedir(), p))],
      workspace,
    );
    inner = [
      host.bwrap.path,
      ...bwrapArgs({
        workspace,
        cwd,
        network: settings.network,
        hideDirs: hidden.dirs,
        hideFiles: hidden.files,
        expose: settings.expose.map((p) => path.resolve(p)).filter((p) => existsSync(p)),
        tmpBytes: host.bwrap.tmpfsSize ? settings.limits.diskWriteMb * 1024 * 1024 : undefined,
        reportDir,
        command: wrappedShell(req.command),
      }),
    ];
  }
  const limited = host.prlimit
    ? [host.prlimit, ...prlimitArgs(settings.limits, { root: host.root }), '--', ...inner]
    : [
        '/bin/sh',
        '-c',
        ulimitScript(settings.limits, { root: host.root }),
        'ratchet-limits',
        ...inner,
      ];
  const cgroup = host.cgroup ? await createCommandCgroup(host.cgroup, settings.limits) : undefined;
  // The launcher moves itself into the cgroup before exec, so every descendant starts inside it.
  const argv = cgroup
    ? [
        '/bin/sh',
        '-c',
        'n=$1; shift; while [ "$n" -gt 0 ]; do echo $$ > "$1" || exit 125; shift; n=$((n-1)); done; exec "$@"',
        'ratchet-cgroup',
        String(cgroup.procsFiles.length),
        ...cgroup.procsFiles,
        ...limited,
      ]
    : limited;
  return {
    ...base,
    file: argv[0]!,
    args: argv.slice(1),
    finish: async () => {
      const counters = cgroup ? await cgroup.finish() : { oomKilled: false, pidsLimitHit: false };
      let leftProcesses = 0;
      if (reportDir) {
        // Written by the wrapper after it killed everything; absent when the command was killed.
        const report = await readFile(path.join(reportDir, 'left'), 'utf8').catch(() => '0');
        leftProcesses = /^\d+\n?$/.test(report) ? Number(report) : 0;
        await rm(reportDir, { recursive: true, force: true });
      }
      await removeScratch();
      return { ...counters, leftProcesses };
    },
  };
}

/** For tests: forget what was detected. */
export function resetSandboxDetection(): void {
  detected = undefined;
}
