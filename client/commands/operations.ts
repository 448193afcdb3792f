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
import {
  createAgent,
  createSession,
  deleteAgent,
  deleteSession,
  listAgents,
  listSessions,
} from '../operations';
import { CliError, ExitCode, printJson, println, progress, table } from '../output';
import path from 'node:path';
import { unsafePathReason } from '../../activities/infra/paths';

interface CreateOptions {
  name: string;
  repo?: string;
  command?: string;
  memory?: string;
  failAt?: string;
  failMode?: string;
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
      .option('--memory <mb>', 'memory to book', '512');
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
            }
          : {}),
      };
      // Bad input is refused before anything connects or starts.
      (kind === 'agent' ? AgentCreateInput : SessionCreateInput).parse(input);
      const client = await clientFrom(settings);
      if (!options.json) progress(`creating ${kind} ${options.name}…`);
      const outcome =
        kind === 'agent'
          ? await createAgent(client, settings.taskQueue, input, { faults })
          : await createSession(client, settings.taskQueue, input, { faults });
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
            ? await deleteAgent(client, settings.taskQueue, id)
            : await deleteSession(client, settings.taskQueue, id);
        return report(settings, outcome, options.json);
      });
    });
}

export function registerAgent(program: Command, globals: () => GlobalOptions): void {
  register(program, globals, 'agent', AGENT_STEPS);
}

export function registerSession(program: Command, globals: () => GlobalOptions): void {
  register(program, globals, 'session', SESSION_STEPS);
}
