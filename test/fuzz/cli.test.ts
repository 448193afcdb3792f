/**
 * The CLI under fuzzed flags: every malformed `agent|session create` and `gc`
 * call exits 2 with a message naming the flag or field, writes nothing to the
 * data dir and starts nothing on the server.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestEnv, taskQueueFor, type TestEnv } from '../helpers';
import { ratchetCli } from '../support/cli';

const badName = fc.oneof(
  fc.stringMatching(/^[A-Z][a-z]{0,5}$/),
  fc.stringMatching(/^[a-z]{1,4} [a-z]{1,4}$/),
  fc.stringMatching(/^-[a-z]{1,5}$/).map((s) => `x${s}!`),
  fc.constant('a'.repeat(41)),
);
const junk = fc.stringMatching(/^[a-z!%]{1,6}$/);

/** [argv, what the message must name] */
const badCall = fc.oneof(
  badName.map((n) => [['agent', 'create', '--name', n], /names are/] as const),
  badName.map((n) => [['session', 'create', '--name', n], /names are/] as const),
  junk.map((m) => [['agent', 'create', '--name', 'ok', '--memory', m], /memoryMb/] as const),
  junk.map((m) => [['agent', 'create', '--name', 'ok', '--fail-mode', m], /--fail-mode/] as const),
  junk.map((s) => [['session', 'create', '--name', 'ok', '--fail-at', s], /unknown step/] as const),
  fc
    .constantFrom('/', '/tmp/../etc')
    .map((r) => [['agent', 'create', '--name', 'ok', '--repo', r], /--repo/] as const),
  junk.map((m) => [['gc', '--min-age', m], /min-age/] as const),
  fc.constant([['agent', 'create', '--nmae', 'ok'], /--name/] as const),
);

describe('CLI under fuzzed input', () => {
  let env: TestEnv;
  beforeAll(async () => {
    env = await createTestEnv();
  });
  afterAll(async () => env?.teardown());

  it('refuses every malformed call with exit 2, the field named, nothing created', async () => {
    const dataDir = path.join(env.tempDir('ratchet-fuzz-cli-'), 'data');
    const taskQueue = taskQueueFor('fuzz-cli');
    const cliEnv = {
      TEMPORAL_ADDRESS: env.address,
      RATCHET_TASK_QUEUE: taskQueue,
      RATCHET_DATA_DIR: dataDir,
    };
    await fc.assert(
      fc.asyncProperty(badCall, async ([argv, names]) => {
        const r = await ratchetCli([...argv], cliEnv);
        expect(r.code, `${argv.join(' ')}\n${r.stderr}`).toBe(2);
        expect(r.stderr).toMatch(names);
        expect(existsSync(dataDir)).toBe(false);
      }),
      { numRuns: 8 },
    );
    const started = await env.client.workflow.count(`TaskQueue="${taskQueue}"`);
    expect(started.count).toBe(0);
  }, 170_000);
});
