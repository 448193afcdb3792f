/**
 * A dev server that dies at start is reported with its first lines (where a
 * Go panic names its cause) and its last, not only the tail of its stack.
 */
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { startDevServer } from '../../server/devServer';

const dir = mkdtempSync(path.join(tmpdir(), 'ratchet-devserver-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('quotes the beginning and the end of the output of a server that panics at start', async () => {
  const cli = path.join(dir, 'temporal');
  // A stand-in CLI: a panic line, then a stack far longer than the quote keeps.
  writeFileSync(
    cli,
    [
      '#!/bin/sh',
      'echo "panic: runtime error: index out of range [3] with length 3" >&2',
      'i=0; while [ $i -lt 2000 ]; do echo "goroutine $i [running]: frame" >&2; i=$((i+1)); done',
      'echo "exit status 2: last words" >&2',
      'exit 2',
      '',
    ].join('\n'),
  );
  chmodSync(cli, 0o755);
  const err = await startDevServer({ cliPath: cli, port: 1, headless: true }).catch(
    (e: unknown) => e as Error,
  );
  expect(err).toBeInstanceOf(Error);
  const message = (err as Error).message;
  expect(message).toMatch(/exited with 2/);
  expect(message).toContain('panic: runtime error: index out of range [3] with length 3');
  expect(message).toContain('exit status 2: last words');
  expect(message).toContain('…');
  expect(message.length).toBeLessThan(13_000);
});
