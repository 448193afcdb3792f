/** `ratchet agent create|list|delete` and `ratchet session create|list|delete`. */
import type { Command } from 'commander';
import { ZodError } from 'zod';
import { workflowUiUrl, type Settings } from '../../config/settings';
import { stepFault } from '../../domain/faults';
import {
  AGENT_STEPS,
  AgentCreateInput,
  FailMode,
  SessionCreateInput,
  SESSION_STEPS,
  type OperationOutcome,
} from '../../domain/operations';
import { clientFrom, settingsFrom, type GlobalOptions } from '../context';
// Types only: create/delete require it when they run, so `list` never loads the Temporal client.
import type * as Hosts from '../hosts';
import type * as Operations from '../operations';
import { listAgents, listSessions } from '../registry';
import { CliError, ExitCode, printJson, println, progress, table } from '../output';
import { collect } from './storeCli';
import { registerAgentAudit } from './audit';
import path from 'node:path';
import { unsafePathReason } from '../../activities/infra/paths';

const operations = () => require('../operations') as typeof Operations;
const hosts = () => require('../hosts') as typeof Hosts;

interface CreateOptions {
  name: string;
  repo?: string;
  command?: string;
  memory?: string;
  failAt?: string;
  failMode?: string;
  tempFile?: string[];
  json?: boolean;
}

function report(settings: Settings, outcome: OperationOutcome, json?: boolean): number {
  if (json) printJson(outcome);
  else {
    println(
      `${outcome.operation} ${outcome.status}${outcome.failedStep ? ` (failed at ${outcome.failedStep}: ${outcome.error})` : ''}`,
    );
    println(
      table(
        ['STEP', 'STATUS', 'MS'],
        outcome.steps.map((s) => [s.name, s.status, s.durationMs]),
      ),
    );
    if (outcome.compensations.length) {
      println('');
      println(
        table(
          ['COMPENSATION', 'RESOURCE', 'PRIORITY', 'STATUS', 'ATTEMPTS', 'MS', 'ERROR'],
          outcome.compensations.map((c) => [
            c.actionType,
            c.resourceId,
            c.priority,
            c.status,
            c.attempts,
            c.durationMs,
            c.error ?? '',
          ]),
        ),
      );
      println(`cleanup ${outcome.cleanupCompleteness} %`);
    }
    for (const d of outcome.registryDrift) println(`registry drift: ${d}`);
    println(`resources: ${JSON.stringify(outcome.resources)}`);
    println(workflowUiUrl(settings, outcome.workflowId));
  }
  return outcome.status === 'completed' ? ExitCode.ok : ExitCode.failed;
}

async function guarded(fn: () => Promise<number>): Promise<number> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof ZodError) {
      throw new CliError(
        err.issues.map((i) => `${i.path.join('.') || 'input'}: ${i.message}`).join('\n'),
      );
    }
    throw err;
  }
}

function register(
  program: Command,
  globals: () => GlobalOptions,
  kind: 'agent' | 'session',
  steps: readonly string[],
): void {
  const group = program
    .command(kind)
    .description(`${kind} operations, each a saga that undoes itself on failure`);
  registerStatus(group, globals, kind);
  const create = group
    .command('create')
    .description(
      `create a${kind === 'agent' ? 'n agent' : ' session'}; on failure every step is compensated`,
    )
    .requiredOption('--name <name>', 'lowercase letters, digits, "-"')
    .option(
      '--repo <path>',
      kind === 'agent'
        ? 'git repository to give it a worktree and branch of'
        : 'git repository to branch',
    )
    .option('--fail-at <step>', `make a step fail (test/demo): ${steps.join(', ')}`)
    .option('--fail-mode <mode>', 'permanent | transient | timeout', 'permanent')
    .option('--json', 'print the outcome as one JSON object');
  if (kind === 'agent') {
    create
      .option('--command <cmd>', 'the agent process (sh -c); default: the bundled runner')
      .option('--memory <mb>', 'memory to book', '512')
      .option(
        '--temp-file <path>',
        'a temporary file or folder the agent may create, removed on rollback (repeatable)',
        collect,
        [],
      );
  }
  create.action(async (options: CreateOptions) => {
    process.exitCode = await guarded(async () => {
      const settings = settingsFrom(globals());
      if (options.failAt && !steps.includes(options.failAt)) {
        throw new CliError(`unknown step "${options.failAt}"; steps: ${steps.join(', ')}`);
      }
      const mode = FailMode.safeParse(options.failMode ?? 'permanent');
      if (!mode.success) {
        throw new CliError(
          `--fail-mode: unknown mode "${options.failMode}"; modes: ${FailMode.options.join(', ')}`,
        );
      }
      // The demo switch travels as a fault plan header, never in the operation's input.
      const faults = options.failAt ? [stepFault(kind, options.failAt, mode.data)] : undefined;
      // `..` is refused as given: resolving it first would turn /tmp/../etc into an innocent-looking /etc.
      if (options.repo?.split('/').includes('..')) {
        throw new CliError(`--repo ${options.repo}: must not contain ".." segments`);
      }
      const repo = options.repo ? path.resolve(options.repo) : undefined;
      const unsafe = repo && (await unsafePathReason(repo, { dataDir: settings.dataDir }));
      if (unsafe) throw new CliError(`--repo ${repo}: ${unsafe}`);
      const input = {
        name: options.name,
        repo,
        ...(kind === 'agent'
          ? {
              command: options.command,
              memoryMb: options.memory === undefined ? undefined : Number(options.memory),
              tempFiles: (options.tempFile ?? []).map((f) => path.resolve(f)),
            }
          : {}),
      };
      // Bad input is refused before anything connects or starts.
      (kind === 'agent' ? AgentCreateInput : SessionCreateInput).parse(input);
      const client = await clientFrom(settings);
      if (!options.json) progress(`creating ${kind} ${options.name}…`);
      const outcome =
        kind === 'agent'
          ? await operations().createAgent(client, settings.taskQueue, input, { faults })
          : await operations().createSession(client, settings.taskQueue, input, { faults });
      return report(settings, outcome, options.json);
    });
  });
  group
    .command('list')
    .description(`${kind}s in the registry`)
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }) => {
      const settings = settingsFrom(globals());
      if (kind === 'agent') {
        const agents = await listAgents(settings.dataDir);
        if (options.json) printJson(agents);
        else
          println(
            table(
              ['ID', 'NAME', 'STATUS', 'PID', 'WORKTREE'],
              agents.map((a) => [a.id, a.name, a.status, a.pid ?? '-', a.worktree ?? '-']),
            ),
          );
      } else {
        const sessions = await listSessions(settings.dataDir);
        if (options.json) printJson(sessions);
        else
          println(
            table(
              ['ID', 'NAME', 'STATUS', 'DIR', 'BRANCH'],
              sessions.map((s) => [s.id, s.name, s.status, s.dir ?? '-', s.branch ?? '-']),
            ),
          );
      }
    });
  group
    .command('delete')
    .description(`delete a${kind === 'agent' ? 'n agent' : ' session'} and everything it holds`)
    .argument('<id>')
    .option('--json', 'print the outcome as one JSON object')
    .action(async (id: string, options: { json?: boolean }) => {
      process.exitCode = await guarded(async () => {
        const settings = settingsFrom(globals());
        const client = await clientFrom(settings);
        const outcome =
          kind === 'agent'
            ? await operations().deleteAgent(client, settings.taskQueue, id)
            : await operations().deleteSession(client, settings.taskQueue, id);
        return report(settings, outcome, options.json);
      });
    });
}

function registerStatus(group: Command, globals: () => GlobalOptions, kind: string): void {
  group
    .command('status')
    .description(
      `the live compensation ledger of a${kind === 'agent' ? 'n agent' : ' session'} operation: steps, and each compensation pending, running, succeeded, failed or skipped`,
    )
    .argument('<workflowId>', `the operation's workflow id (printed by create and delete)`)
    .option('--json', 'print it as one JSON object')
    .action(async (workflowId: string, options: { json?: boolean }) => {
      const settings = settingsFrom(globals());
      if (!/^[A-Za-z0-9._:@-]{1,200}$/.test(workflowId))
        throw new CliError(`workflowId: not a workflow id: ${JSON.stringify(workflowId)}`);
      const client = await clientFrom(settings);
      const live = await operations()
        .operationLedger(client, workflowId)
        .catch((err: unknown) => {
          // Before its first step (e.g. parked waiting for its host) the run has no ledger yet.
          if ((err as Error).name === 'QueryNotRegisteredError') return 'starting' as const;
          throw err;
        });
      if (!live) throw new CliError(`no operation ${workflowId}`, ExitCode.failed);
      const host = await hosts().runHost(client, workflowId); // the owner host (issue 14)
      if (live === 'starting') {
        if (options.json) printJson({ workflowId, phase: 'starting', ...host });
        else
          for (const line of [`${workflowId} starting`, ...hosts().runHostLines(host)])
            println(line);
        return;
      }
      if (options.json) printJson({ ...live, ...host });
      else {
        println(
          `${live.operation} ${live.phase}${live.currentStep ? ` · step ${live.currentStep}` : ''}`,
        );
        for (const line of hosts().runHostLines(host)) println(line);
        println(
          table(
            ['STEP', 'STATUS', 'MS'],
            live.steps.map((s) => [s.name, s.status, s.durationMs]),
          ),
        );
        println('');
        println(
          live.compensations.length
            ? table(
                ['COMPENSATION', 'PRIORITY', 'STATUS', 'ATTEMPTS', 'ERROR'],
                live.compensations.map((c) => [
                  c.actionType,
                  c.priority,
                  c.status,
                  c.attempts,
                  c.error ?? '',
                ]),
              )
            : 'nothing to undo',
        );
        println(workflowUiUrl(settings, live.workflowId));
      }
      process.exitCode = ExitCode.ok;
    });
}

export function registerAgent(program: Command, globals: () => GlobalOptions): void {
  register(program, globals, 'agent', AGENT_STEPS);
  const agent = program.commands.find((c) => c.name() === 'agent');
  if (agent) registerAgentAudit(agent, globals);
}

export function registerSession(program: Command, globals: () => GlobalOptions): void {
  register(program, globals, 'session', SESSION_STEPS);
}
