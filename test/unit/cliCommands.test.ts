/**
 * The lazy CLI: `ratchet --help` lists verbs from a table without loading their
 * modules, so the table must say exactly what the modules register; and the
 * verb of an argv is found past the global options.
 */
import { describe, expect, it } from 'vitest';
import { buildFullProgram, buildProgram } from '../../client/cli';
import { bashScript, completionTable } from '../../client/commands/completion';
import { COMMAND_GROUPS, verbOf } from '../../client/commands/index';
import type { Command } from 'commander';
import { ALL_COMMANDS as ALL } from '../support/allCommands';

/** Leaf commands (`agent list`, `dev`, …) of a program. */
function leaves(cmd: Command, prefix = ''): Array<{ name: string; cmd: Command }> {
  return cmd.commands.flatMap((sub) => {
    const name = `${prefix} ${sub.name()}`.trim();
    return sub.commands.length ? leaves(sub, name) : [{ name, cmd: sub }];
  });
}

/**
 * Commands without --json, each with its reason: `completion` prints a shell
 * script and `worker` runs until stopped.
 */
const WITHOUT_JSON = new Set(['completion', 'worker']);

describe('lazy command registration', () => {
  it('lists every verb exactly as the modules register it', () => {
    const lazy = buildProgram(['node', 'ratchet', '--help']).helpInformation();
    expect(lazy).toBe(buildFullProgram(ALL).helpInformation());
    const tableVerbs = COMMAND_GROUPS.flatMap((g) => g.verbs.map((v) => v.name)).sort();
    const registered = buildFullProgram(ALL)
      .commands.map((c) => c.name())
      .sort();
    expect(tableVerbs).toEqual(registered);
  });

  it('finds the verb past global options, and through `help`', () => {
    expect(verbOf(['node', 'ratchet'])).toBeUndefined();
    expect(verbOf(['node', 'ratchet', '--help'])).toBeUndefined();
    expect(verbOf(['node', 'ratchet', '-c', 'evolve', 'agent', 'list'])).toBe('agent');
    expect(verbOf(['node', 'ratchet', '--config', 'x.json', 'evolve', 'list'])).toBe('evolve');
    expect(verbOf(['node', 'ratchet', '--config=x.json', 'evolve'])).toBe('evolve');
    expect(verbOf(['node', 'ratchet', 'help', 'versions'])).toBe('versions');
    expect(verbOf(['node', 'ratchet', 'evolve', '--json', 'list'])).toBe('evolve');
  });

  it('completes sub-verbs and options from what is registered, skipping option values', () => {
    const table = completionTable(buildFullProgram(ALL));
    expect(table.words.get('evolve')).toEqual(expect.arrayContaining(['start', 'list', 'status']));
    expect(table.words.get('agent list')).toEqual(['--json', '--help']);
    expect(table.valueOptions).toEqual(expect.arrayContaining(['-c', '--config', '--workspace']));
    expect(table.valueOptions).not.toContain('--json');
    expect(bashScript(table)).toContain("'evolve status') words=");
  });
});

describe('--json', () => {
  it('is on every command that prints data, acknowledgements included', () => {
    const missing = leaves(buildFullProgram(ALL))
      .filter(
        ({ name, cmd }) => !WITHOUT_JSON.has(name) && !cmd.options.some((o) => o.long === '--json'),
      )
      .map(({ name }) => name);
    expect(missing).toEqual([]);
  });
});
