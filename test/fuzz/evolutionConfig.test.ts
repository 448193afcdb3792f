/**
 * Evolution config files are strict: an unknown or misspelt key, at the top
 * or inside a section, is refused naming the key and the nearest known one,
 * and `ratchet evolve start --config` exits 2 with nothing started. Which keys
 * are known comes from the schema: a key added to it is accepted as is.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { z, ZodError } from 'zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveEvolutionConfig } from '../../client/evolution';
import { EvaluationConfig, EvolutionConfig } from '../../domain/evolution/config';
import { issueLines, unknownKeyIssues } from '../../domain/strictKeys';
import { createTestEnv, taskQueueFor, type TestEnv } from '../helpers';
import { ratchetCli } from '../support/cli';

const valid = {
  moduleId: 'lib',
  workspace: '/srv/lib',
  candidate: { kind: 'mutator', command: 'node mutate.js' },
  evaluation: { test: 'npm test' },
};

function refusal(input: unknown): string[] {
  try {
    resolveEvolutionConfig(input as never);
    return [];
  } catch (err) {
    expect(err).toBeInstanceOf(ZodError);
    return issueLines(EvolutionConfig, err as ZodError);
  }
}

/** A one-letter typo: a swap, a drop or a doubled letter. */
const typo = (keys: string[]) =>
  fc.constantFrom(...keys).chain((key) =>
    fc
      .tuple(fc.integer({ min: 0, max: key.length - 2 }), fc.constantFrom(0, 1, 2))
      .map(([i, kind]) =>
        kind === 0
          ? key.slice(0, i) + key[i + 1] + key[i] + key.slice(i + 2)
          : kind === 1
            ? key.slice(0, i) + key.slice(i + 1)
            : key.slice(0, i + 1) + key[i] + key.slice(i + 1),
      )
      .filter((t) => t !== key && !keys.includes(t)),
  );

describe('evolution config keys', () => {
  it('accepts a valid config as it is', () => {
    expect(refusal(valid)).toEqual([]);
  });

  it('refuses a misspelt key, top level or in evaluation, naming it and suggesting one', () => {
    const top = Object.keys(EvolutionConfig.shape).filter((k) => k.length > 3);
    const inner = Object.keys(EvaluationConfig.shape).filter((k) => k.length > 3);
    fc.assert(
      fc.property(
        fc.oneof(
          typo(top),
          typo(inner).map((t) => `evaluation.${t}`),
        ),
        (bad) => {
          const [section, key] = bad.includes('.') ? bad.split('.') : [null, bad];
          const input = section
            ? { ...valid, evaluation: { ...valid.evaluation, [key]: 1 } }
            : { ...valid, [key]: 1 };
          const lines = refusal(input);
          expect(lines.join('\n')).toMatch(
            new RegExp(`^${bad.replace('.', '\\.')}: unknown key; (did you mean|known keys)`, 'm'),
          );
        },
      ),
      { numRuns: 60 },
    );
    expect(refusal({ ...valid, smokeComand: 'true' })).toEqual([
      'smokeComand: unknown key; did you mean "smokeCommand"?',
    ]);
  });

  it('refuses misspelt keys (serv, helth) instead of dropping them, naming the real ones', () => {
    const lines = refusal({ ...valid, serv: 'node server.js', helth: 'http://127.0.0.1:1/' });
    expect(lines).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^serv: unknown key; did you mean "serve"\?/),
        expect.stringMatching(/^helth: unknown key; did you mean "health"\?/),
      ]),
    );
    // Spelt right, the service keys are the schema's own and pass.
    expect(
      unknownKeyIssues(EvolutionConfig, { ...valid, serve: 'node server.js', health: 'true' }),
    ).toEqual([]);
  });

  it('accepts a key once the schema has it: strictness follows the schema', () => {
    const Extended = EvolutionConfig.safeExtend({
      canary: z.object({ command: z.string() }).optional(),
    });
    const input = { ...valid, canary: { command: 'node canary.js' } };
    expect(unknownKeyIssues(EvolutionConfig, input)).toMatchObject([
      { code: 'unrecognized_keys', keys: ['canary'] },
    ]);
    expect(unknownKeyIssues(Extended, input)).toEqual([]);
    expect(unknownKeyIssues(Extended, { ...input, canary: { comand: 'x' } })).toMatchObject([
      { code: 'unrecognized_keys', keys: ['comand'], path: ['canary'] },
    ]);
  });
});

describe('ratchet evolve start --config with an unknown key', () => {
  let env: TestEnv;
  beforeAll(async () => {
    env = await createTestEnv();
  });
  afterAll(async () => env?.teardown());

  it('exits 2 naming the key and the nearest known one, and starts nothing', async () => {
    const root = env.tempDir('ratchet-evo-keys-');
    const workspace = path.join(root, 'lib');
    mkdirSync(workspace);
    const file = path.join(root, 'evolve.json');
    writeFileSync(
      file,
      JSON.stringify({ ...valid, workspace, evaluation: { test: 'true', comandTimeoutSec: 5 } }),
    );
    const taskQueue = taskQueueFor('evo-keys');
    const dataDir = path.join(root, 'data');
    const r = await ratchetCli(['evolve', 'start', '--config', file], {
      TEMPORAL_ADDRESS: env.address,
      RATCHET_TASK_QUEUE: taskQueue,
      RATCHET_DATA_DIR: dataDir,
    });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain(
      'evaluation.comandTimeoutSec: unknown key; did you mean "commandTimeoutSec"?',
    );
    expect(existsSync(dataDir)).toBe(false);
    const started = await env.client.workflow.count(`TaskQueue="${taskQueue}"`);
    expect(started.count).toBe(0);
  });
});
