/**
 * The `ratchet` CLI. Exit codes: 0 success, 1 the operation ran and failed
 * (compensated, rolled back, a check failed), 2 bad input (nothing was done).
 */
import { Command, CommanderError, Help } from 'commander';
import { COMMAND_GROUPS, type Register, verbOf } from './commands';
import type { GlobalOptions } from './context';
import { CliError, ExitCode } from './output';
import { packageVersion } from './packageRoot';

/** The program with its global options and no verbs yet. */
function createRoot(): Command {
  return (
    new Command('ratchet')
      .description('durable safety rails for systems that change themselves, on Temporal')
      .version(packageVersion())
      .option(
        '-c, --config <file>',
        'configuration file (default: ./ratchet.config.json, or RATCHET_CONFIG)',
      )
      .option(
        '--host <id>',
        'the host that owns the runs this command starts (default: this machine, setting hostId)',
      )
      .showHelpAfterError('(run with --help for usage)')
      .exitOverride()
      // Program options only before the verb, so `evolve start --config FILE` is the verb's own.
      .enablePositionalOptions()
      .configureHelp({ sortSubcommands: true })
  );
}

function finish(program: Command): Command {
  // Every nested command inherits the usage-error handling.
  const inherit = (cmd: Command) => {
    for (const sub of cmd.commands) {
      sub.exitOverride().showHelpAfterError('(run with --help for usage)');
      inherit(sub);
    }
  };
  inherit(program);
  return program;
}

/** A program with every verb registered (completion scripts, tests). */
export function buildFullProgram(registrations: Register[]): Command {
  const program = createRoot();
  const globals = () => program.opts<GlobalOptions>();
  for (const register of registrations) register(program, globals);
  return finish(program);
}

/**
 * The program for one invocation: only the module of the verb being run is
 * loaded. Without a verb (`ratchet --help`, `--version`) no module is: each
 * verb is listed from the table in commands/index.ts. An unknown verb loads
 * them all, so commander can suggest the nearest one.
 */
export function buildProgram(argv: readonly string[]): Command {
  const wanted = verbOf(argv);
  if (wanted !== undefined) {
    const group = COMMAND_GROUPS.find((g) => g.verbs.some((v) => v.name === wanted));
    return buildFullProgram(group ? [group.load()] : COMMAND_GROUPS.map((g) => g.load()));
  }
  const program = createRoot();
  const terms = new Map<Command, string>();
  for (const group of COMMAND_GROUPS) {
    for (const verb of group.verbs) {
      terms.set(program.command(verb.name).description(verb.description), verb.term);
    }
  }
  const help = new Help();
  program.configureHelp({
    sortSubcommands: true,
    subcommandTerm: (cmd) => terms.get(cmd) ?? help.subcommandTerm(cmd),
  });
  return finish(program);
}

/** The invocations whose whole answer is fixed text: the build saves it (staticAnswers). */
export const STATIC_ARGS = ['--help', '-h', 'help', '--version', '-V'] as const;

/**
 * What `ratchet <arg>` prints for each of STATIC_ARGS, as commander prints it
 * where stdout is not a terminal (80 columns, no colour). The build saves it
 * beside the bundles (bin/bundle.js) and bin/ratchet.js prints it without
 * loading commander or the verb table: `ratchet --help` then costs little
 * more than starting Node.
 */
export async function staticAnswers(): Promise<Record<string, string>> {
  const answers: Record<string, string> = {};
  for (const arg of STATIC_ARGS) {
    const argv = ['node', 'ratchet', arg];
    let out = '';
    const program = buildProgram(argv).configureOutput({
      writeOut: (text) => (out += text),
      writeErr: (text) => {
        throw new Error(`ratchet ${arg} wrote to stderr: ${text}`);
      },
      getOutHelpWidth: () => 80, // commander's width off a terminal
      getOutHasColors: () => false,
    });
    try {
      await program.parseAsync(argv);
    } catch (err) {
      if (!(err instanceof CommanderError) || err.exitCode !== 0) throw err;
    }
    answers[arg] = out;
  }
  return answers;
}

/**
 * Runs one invocation and returns its exit code. `registrations` replaces lazy
 * loading with command modules the caller already imported (an in-process
 * test run, so that errors are instances of the caller's own classes).
 */
export async function main(argv: string[], registrations?: Register[]): Promise<number> {
  const program = registrations ? buildFullProgram(registrations) : buildProgram(argv);
  process.exitCode = undefined;
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : ExitCode.ok;
  } catch (err) {
    if (err instanceof CommanderError) {
      // help and version are successes; anything else commander refuses is bad input.
      return err.exitCode === 0 ? ExitCode.ok : ExitCode.badInput;
    }
    if (err instanceof CliError) {
      process.stderr.write(`ratchet: ${err.message}\n`);
      return err.exitCode;
    }
    // An id that names no workflow is the caller's input: say so, no stack.
    // By name: the error class may come from another copy of @temporalio/client.
    if ((err as Error | undefined)?.name === 'WorkflowNotFoundError') {
      process.stderr.write(`ratchet: ${(err as Error).message}\n`);
      return ExitCode.badInput;
    }
    throw err;
  }
}
