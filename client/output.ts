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

export interface ProgressLine {
  /** The current step; shown in place on a terminal, as a new line otherwise (only when it changes). */
  step(text: string): void;
  /** Ends the progress (clears the spinner line on a terminal). */
  done(text?: string): void;
}

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/**
 * Progress of long CLI work on stderr: a spinner with the current step on a
 * terminal; plain lines when stderr is not a terminal or with --json (stdout
 * then carries only the JSON). Hand-written: a dozen lines, where a spinner
 * library would pull in its own terminal handling.
 */
export function startProgress(
  label: string,
  options: { json?: boolean; stream?: Pick<NodeJS.WriteStream, 'write' | 'isTTY'> } = {},
): ProgressLine {
  const stream = options.stream ?? process.stderr;
  const live = Boolean(stream.isTTY) && !options.json;
  let current = '';
  let frame = 0;
  let closed = false;
  const draw = () => {
    frame = (frame + 1) % FRAMES.length;
    stream.write(`\r\x1b[2K${FRAMES[frame]} ${label}${current ? `: ${current}` : ''}`);
  };
  const timer = live ? setInterval(draw, 100) : undefined;
  timer?.unref();
  return {
    step(text) {
      if (closed || text === current) return;
      current = text;
      if (live) draw();
      else stream.write(`${label}: ${text}\n`);
    },
    done(text) {
      if (closed) return;
      closed = true;
      if (timer) clearInterval(timer);
      if (live) stream.write('\r\x1b[2K');
      if (text) stream.write(`${text}\n`);
    },
  };
}

/** Awaits `work`, asking `poll` for the current step about once a second to show it. */
export async function withProgress<T>(
  line: ProgressLine,
  work: () => Promise<T>,
  poll: () => Promise<string>,
  intervalMs = 1000,
): Promise<T> {
  let finished = false;
  const watching = (async () => {
    while (!finished) {
      try {
        line.step(await poll());
      } catch {
        // between workflow tasks a query can fail; the next poll answers
      }
      await new Promise((r) => setTimeout(r, intervalMs).unref());
    }
  })();
  try {
    return await work();
  } finally {
    finished = true;
    line.done();
    void watching.catch(() => undefined); // its last sleep ends on its own (unref'd)
  }
}

/**
 * For a stream of progress lines where "  …" lines are interim ticks (the
 * Temporal CLI build): on a terminal the ticks redraw one spinner line, and
 * every other line is printed as is; off a terminal every line is printed.
 */
export function progressLines(
  label: string,
  stream: Pick<NodeJS.WriteStream, 'write' | 'isTTY'> = process.stderr,
): (line: string) => void {
  let spinner: ProgressLine | undefined;
  return (line) => {
    if (stream.isTTY && line.startsWith('  …')) {
      spinner ??= startProgress(label, { stream });
      spinner.step(line.trim().replace(/^…/, ''));
      return;
    }
    spinner?.done();
    spinner = undefined;
    stream.write(`${line}\n`);
  };
}
