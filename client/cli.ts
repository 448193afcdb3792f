/**
 * The `ratchet` CLI. Exit codes: 0 success, 1 the operation ran and failed
 * (compensated, rolled back, a check failed), 2 bad input (nothing was done).
 */
import { Command, CommanderError } from 'commander';
import { COMMANDS } from './commands';
import type { GlobalOptions } from './context';
import { CliError, ExitCode } from './output';
import { packageVersion } from './packageRoot';

export function buildProgram(): Command {
  const program = new Command('ratchet')
    .description('durable safety rails for systems that change themselves, on Temporal')
    .version(packageVersion())
    .option(
      '-c, --config <file>',
      'configuration file (default: ./ratchet.config.json, or RATCHET_CONFIG)',
    )
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    // Program options only before the verb, so `evolve start --config FILE` is the verb's own.
    .enablePositionalOptions()
    .configureHelp({ sortSubcommands: true });
  const globals = () => program.opts<GlobalOptions>();
  for (const register of COMMANDS) register(program, globals);
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

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
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
    throw err;
  }
}
