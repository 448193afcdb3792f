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

/** Every check's name, in the order they run (`--only` picks among them). */
export const DOCTOR_CHECKS = [
  'temporal-cli',
  'server',
  'namespace',
  'search-attributes',
  'worker',
  'host-queue',
  'hosts',
  'web-ui',
  'sandbox',
];

export async function runDoctor(settings: Settings): Promise<DoctorCheck[]> {
  const checks: DoctorCheck[] = [];
  checks.push(
    await attempt('temporal-cli', async () => {
      const found = findTemporalCli(settings.cacheDir);
      if (!found) throw new Error('not found (`ratchet dev` builds it with Go)');
      return `${found.path} (${found.source})`;
    }),
  );
  let connection: Connection | undefined;
  checks.push(
    await attempt('server', async () => {
      connection = await Connection.connect(connectionOptions(settings));
      const info = await connection.workflowService.getSystemInfo({});
      return `${settings.temporal.address} (server ${info.serverVersion || 'unknown version'})`;
    }),
  );
  const ns = settings.temporal.namespace;
  const needServer = async (fn: (c: Connection) => Promise<string>) => {
    if (!connection) throw new Error('server not reachable');
    return fn(connection);
  };
  checks.push(
    await attempt('namespace', () =>
      needServer(async (c) => {
        await c.workflowService.describeNamespace({ namespace: ns });
        return ns;
      }),
    ),
  );
  checks.push(
    await attempt('search-attributes', () =>
      needServer(async (c) => {
        const missing = await missingSearchAttributes(c, ns);
        if (missing.length)
          throw new Error(`missing: ${missing.join(', ')} (\`ratchet dev\` registers them)`);
        return 'all registered';
      }),
    ),
  );
  checks.push(
    await attempt('worker', () =>
      needServer(async (c) => {
        const { pollers } = await c.workflowService.describeTaskQueue({
          namespace: ns,
          taskQueue: { name: settings.taskQueue },
          taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
        });
        if (!pollers?.length)
          throw new Error(`no worker polls "${settings.taskQueue}" (start \`ratchet dev\`)`);
        return `${pollers.length} poller(s) on "${settings.taskQueue}"`;
      }),
    ),
  );
  // Host routing (issue 14): this host's own queue, and every host queue in sight.
  checks.push(
    await attempt('host-queue', () =>
      needServer((c) => ownHostQueueDetail(c, ns, settings.taskQueue, hostIdOf(settings))),
    ),
  );
  checks.push(
    await attempt('hosts', () =>
      needServer((c) => hostsDetail(c, ns, settings.taskQueue, hostIdOf(settings))),
    ),
  );
  checks.push(
    await attempt('web-ui', async () => {
      const url = uiBaseUrl(settings);
      const res = await fetch(url, { signal: AbortSignal.timeout(3000) });
      if (!res.ok) throw new Error(`${url} answered ${res.status}`);
      return url;
    }),
  );
  // Candidates' commands: isolated by bubblewrap, or only scrubbed and limited (said so, loudly).
  checks.push(
    await attempt('sandbox', async () => {
      const { ok, detail } = describeSandbox(await detectSandbox());
      if (!ok) throw new Error(detail);
      return detail;
    }),
  );
  await connection?.close();
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
      const unknown = only?.filter((name) => !DOCTOR_CHECKS.includes(name)) ?? [];
      if (unknown.length) {
        throw new CliError(
          `--only: unknown check ${unknown.join(', ')} (known: ${DOCTOR_CHECKS.join(', ')})`,
          ExitCode.badInput,
        );
      }
      const checks = (await runDoctor(settingsFrom(globals()))).filter(
        (c) => !only || only.includes(c.name),
      );
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
