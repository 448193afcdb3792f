/**
 * `ratchet doctor`: what a new user needs, checked and printed as a table.
 * Exit 0 only when every check holds.
 */
import type { Command } from 'commander';
import { Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { describeSandbox, detectSandbox } from '../../activities/infra/sandbox';
import { uiBaseUrl, type Settings } from '../../config/settings';
import { findTemporalCli } from '../../server/temporalCli';
import { missingSearchAttributes } from '../admin';
import { connectionOptions } from '../connection';
import { settingsFrom, type GlobalOptions } from '../context';
import { hostIdOf } from '../../config/hosts';
import { hostsDetail, ownHostQueueDetail } from '../hostsDoctor';
import { CliError, ExitCode, printJson, println, table } from '../output';

export interface DoctorCheck {
  name: string;
  ok: boolean;
  detail: string;
}

async function attempt(name: string, fn: () => Promise<string>): Promise<DoctorCheck> {
  try {
    return { name, ok: true, detail: await fn() };
  } catch (err) {
    return { name, ok: false, detail: (err as Error).message.split('\n')[0] ?? String(err) };
  }
}

interface CheckContext {
  settings: Settings;
  /** The server connection, made the first time a check needs it (and only then). */
  server: () => Promise<Connection>;
}

interface CheckDef {
  name: string;
  run: (ctx: CheckContext) => Promise<string>;
}

/**
 * Every check, in the order they run. `--only` runs just the named ones: a
 * container health check (`--only worker,host-queue`) neither probes the Web
 * UI (up to 3 s) nor looks for the CLI binary or bubblewrap.
 */
const CHECKS: CheckDef[] = [
  {
    name: 'temporal-cli',
    run: async ({ settings }) => {
      const found = findTemporalCli(settings.cacheDir);
      if (!found) throw new Error('not found (`ratchet dev` builds it with Go)');
      return `${found.path} (${found.source})`;
    },
  },
  {
    name: 'server',
    run: async ({ settings, server }) => {
      const info = await (await server()).workflowService.getSystemInfo({});
      return `${settings.temporal.address} (server ${info.serverVersion || 'unknown version'})`;
    },
  },
  {
    name: 'namespace',
    run: async ({ settings, server }) => {
      const ns = settings.temporal.namespace;
      await (await server()).workflowService.describeNamespace({ namespace: ns });
      return ns;
    },
  },
  {
    name: 'search-attributes',
    run: async ({ settings, server }) => {
      const missing = await missingSearchAttributes(await server(), settings.temporal.namespace);
      if (missing.length)
        throw new Error(`missing: ${missing.join(', ')} (\`ratchet dev\` registers them)`);
      return 'all registered';
    },
  },
  {
    name: 'worker',
    run: async ({ settings, server }) => {
      const { pollers } = await (
        await server()
      ).workflowService.describeTaskQueue({
        namespace: settings.temporal.namespace,
        taskQueue: { name: settings.taskQueue },
        taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
      });
      if (!pollers?.length)
        throw new Error(`no worker polls "${settings.taskQueue}" (start \`ratchet dev\`)`);
      return `${pollers.length} poller(s) on "${settings.taskQueue}"`;
    },
  },
  // Host routing (issue 14): this host's own queue, and every host queue in sight.
  {
    name: 'host-queue',
    run: async ({ settings, server }) =>
      ownHostQueueDetail(
        await server(),
        settings.temporal.namespace,
        settings.taskQueue,
        hostIdOf(settings),
      ),
  },
  {
    name: 'hosts',
    run: async ({ settings, server }) =>
      hostsDetail(
        await server(),
        settings.temporal.namespace,
        settings.taskQueue,
        hostIdOf(settings),
      ),
  },
  {
    name: 'web-ui',
    run: async ({ settings }) => {
      const url = uiBaseUrl(settings);
      const res = await fetch(url, { signal: AbortSignal.timeout(3000) });
      if (!res.ok) throw new Error(`${url} answered ${res.status}`);
      return url;
    },
  },
  // Candidates' commands: isolated by bubblewrap, or only scrubbed and limited (said so, loudly).
  {
    name: 'sandbox',
    run: async () => {
      const { ok, detail } = describeSandbox(await detectSandbox());
      if (!ok) throw new Error(detail);
      return detail;
    },
  },
];

/** Every check's name, in the order they run (`--only` picks among them). */
export const DOCTOR_CHECKS = CHECKS.map((c) => c.name);

/** Names in `only` that are not checks (empty when all are known). */
export function unknownChecks(only: readonly string[]): string[] {
  return only.filter((name) => !DOCTOR_CHECKS.includes(name));
}

/**
 * Runs the checks named in `only` (every check when it is absent), in their
 * usual order; the others do not run at all. Unknown names throw.
 */
export async function runDoctor(
  settings: Settings,
  only?: readonly string[],
): Promise<DoctorCheck[]> {
  const unknown = unknownChecks(only ?? []);
  if (unknown.length) throw new Error(`unknown doctor check ${unknown.join(', ')}`);
  // One connection attempt, shared: when it fails, every check that needs it says why.
  let connecting: Promise<Connection> | undefined;
  const server = () => {
    connecting ??= Connection.connect(connectionOptions(settings));
    return connecting.catch((err: unknown) => {
      throw new Error(`server not reachable: ${(err as Error).message}`);
    });
  };
  const checks: DoctorCheck[] = [];
  try {
    for (const check of CHECKS) {
      if (only && !only.includes(check.name)) continue;
      checks.push(await attempt(check.name, () => check.run({ settings, server })));
    }
  } finally {
    if (connecting) await connecting.then((c) => c.close()).catch(() => undefined);
  }
  return checks;
}

export function registerDoctor(program: Command, globals: () => GlobalOptions): void {
  program
    .command('doctor')
    .description(
      'check the CLI binary, server, namespace, search attributes, worker, Web UI and the sandbox',
    )
    .option('--json', 'print { ok, checks: [{ name, ok, detail }] }')
    .option(
      '--only <checks>',
      'only these checks, comma-separated (e.g. worker,host-queue: a worker container health check)',
    )
    .action(async (options: { json?: boolean; only?: string }) => {
      const only = options.only?.split(',').map((name) => name.trim());
      const unknown = unknownChecks(only ?? []);
      if (unknown.length) {
        throw new CliError(
          `--only: unknown check ${unknown.map((n) => `"${n}"`).join(', ')} (valid: ${DOCTOR_CHECKS.join(', ')})`,
          ExitCode.badInput,
        );
      }
      const checks = await runDoctor(settingsFrom(globals()), only);
      const ok = checks.every((c) => c.ok);
      if (options.json) printJson({ ok, checks });
      else {
        println(
          table(
            ['CHECK', 'STATUS', 'DETAIL'],
            checks.map((c) => [c.name, c.ok ? 'ok' : 'FAIL', c.detail]),
          ),
        );
      }
      process.exitCode = ok ? ExitCode.ok : ExitCode.failed;
    });
}
