/** What every command needs, built lazily so `--help` never touches the network. */
import type { Client } from '@temporalio/client';
import { ConfigError, loadSettings, type Settings } from '../config/settings';
import { HostId } from '../domain/hosts';
import type * as ConnectionModule from './connection';
import { CliError, ExitCode } from './output';

export interface GlobalOptions {
  config?: string;
  /** `--host`: the host that owns the runs started (domain/hosts.ts). */
  host?: string;
}

export function settingsFrom(options: GlobalOptions): Settings {
  let settings: Settings;
  try {
    settings = loadSettings({ configFile: options.config });
  } catch (err) {
    if (err instanceof ConfigError) throw new CliError(err.message, ExitCode.badInput);
    throw err;
  }
  return options.host === undefined
    ? settings
    : { ...settings, hostId: hostIdOption(options.host) };
}

/** A `--host` value, or exit 2 naming the flag. */
export function hostIdOption(raw: string, flag = '--host'): HostId {
  const parsed = HostId.safeParse(raw);
  if (!parsed.success) {
    throw new CliError(
      `${flag} ${JSON.stringify(raw)}: ${parsed.error.issues[0]?.message ?? 'invalid'}`,
      ExitCode.badInput,
    );
  }
  return parsed.data;
}

export async function clientFrom(settings: Settings): Promise<Client> {
  try {
    // Required here: commands that never talk to Temporal (agent list, checkpoint list) skip loading its client.
    const { connectClient } = require('./connection') as typeof ConnectionModule;
    return await connectClient(settings);
  } catch (err) {
    throw new CliError(
      `cannot reach Temporal at ${settings.temporal.address} (${(err as Error).message}).\n` +
        'Start one with `ratchet dev`, or set TEMPORAL_ADDRESS.',
      ExitCode.failed,
    );
  }
}
