/** How the CLI talks: results on stdout (JSON with --json), progress on stderr. */

/** Exit codes users' scripts can rely on. */
export const ExitCode = {
  ok: 0,
  /** The operation ran and did not succeed (compensated, rolled back, check failed). */
  failed: 1,
  /** Bad input: flags, config, paths. Nothing was done. */
  badInput: 2,
} as const;

/** An error whose message is for the user, and an exit code that says what kind. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = ExitCode.badInput,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export function println(line = ''): void {
  process.stdout.write(`${line}\n`);
}

export function progress(line: string): void {
  process.stderr.write(`${line}\n`);
}

/** A plain aligned table, like `git` or `kubectl` print. */
export function table(headers: string[], rows: Array<Array<string | number | undefined>>): string {
  const cells = [headers, ...rows.map((r) => r.map((c) => (c === undefined ? '' : String(c))))];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  return cells
    .map((r) =>
      r
        .map((c, i) => (c ?? '').padEnd(widths[i] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}
