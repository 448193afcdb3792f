/**
 * Property tests (fast-check) over what users write: config files, pipeline
 * files, operation inputs, janitor input and operator update payloads. Every
 * malformed input is refused with a message that names the field; an unknown
 * or misspelt key is refused with the nearest known key; dangerous paths are
 * refused. Pure parsing: no server, nothing written.
 */
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { parsePipeline, PipelineFileError } from '../../activities/pipelines/load';
import { unsafePathReason } from '../../activities/infra/paths';
import { ConfigError, loadSettings } from '../../config/settings';
import { ApproveInput, RejectInput, RollbackRequest } from '../../domain/evolution/operator';
import { JanitorInput } from '../../domain/janitor';
import { AgentCreateInput, SessionCreateInput } from '../../domain/operations';
import { dangerousPathReason } from '../../domain/paths';
import { issueLines, nearestKey } from '../../domain/strictKeys';

const scratch = mkdtempSync(path.join(tmpdir(), 'ratchet-fuzz-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A one-letter typo of `key`: a swap, a drop or a doubled letter. */
const typoOf = (key: string) =>
  fc
    .tuple(fc.integer({ min: 0, max: key.length - 2 }), fc.constantFrom('swap', 'drop', 'double'))
    .map(([i, kind]) =>
      kind === 'swap'
        ? key.slice(0, i) + key[i + 1] + key[i] + key.slice(i + 2)
        : kind === 'drop'
          ? key.slice(0, i) + key.slice(i + 1)
          : key.slice(0, i + 1) + key[i] + key.slice(i + 1),
    )
    .filter((t) => t !== key);

/** A known key and a typo of it. */
const misspelt = (keys: string[]) =>
  fc.constantFrom(...keys).chain((key) => typoOf(key).map((typo) => [key, typo] as const));
/** Values of the wrong kind for any field. */
const junk = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.array(fc.integer(), { maxLength: 2 }),
  fc.double({ noNaN: false }),
  fc.constant({ nested: 1 }),
);

function settingsError(config: unknown, env: NodeJS.ProcessEnv = {}): string {
  const file = path.join(scratch, `config-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, JSON.stringify(config));
  try {
    loadSettings({ configFile: file, env, cwd: scratch });
    return '';
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  } finally {
    rmSync(file, { force: true });
  }
}

describe('config files (ratchet.config.json)', () => {
  const TOP = ['temporal', 'taskQueue', 'dataDir', 'cacheDir', 'uiPort', 'uiUrl', 'log'];

  it('refuses a misspelt setting and names the one that was meant', () => {
    fc.assert(
      fc.property(
        misspelt(['taskQueue', 'dataDir', 'cacheDir', 'metricsAddress', 'uiPort']),
        fc.string(),
        ([key, typo], value) => {
          fc.pre(!TOP.includes(typo) && typo !== 'metricsAddress');
          const message = settingsError({ [typo]: value });
          expect(message).toContain(typo);
          expect(message).toContain(`did you mean "${key}"`);
        },
      ),
      { numRuns: 50 },
    );
  });

  it('refuses unknown keys inside sections too', () => {
    fc.assert(
      fc.property(typoOf('address'), (typo) => {
        const message = settingsError({ temporal: { [typo]: '127.0.0.1:7233' } });
        expect(message).toContain(`temporal.${typo}`);
        expect(message).toContain('did you mean "address"');
      }),
      { numRuns: 20 },
    );
  });

  it('refuses a value of the wrong kind, naming the setting', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('taskQueue', 'uiPort', 'uiUrl', 'metricsAddress'),
        junk,
        (key, value) => {
          fc.pre(!(key === 'uiPort' && (typeof value === 'boolean' || value === null)));
          const message = settingsError({ [key]: value });
          expect(message).toMatch(new RegExp(`\\b${key}\\b`));
        },
      ),
      { numRuns: 60 },
    );
  });

  it('refuses a dangerous data dir', () => {
    for (const dir of ['/', homedir(), `${homedir()}/`]) {
      expect(settingsError({ dataDir: dir })).toMatch(/dataDir .*must not be/);
    }
    expect(settingsError({}, { RATCHET_DATA_DIR: '/' })).toMatch(
      /dataDir \(from RATCHET_DATA_DIR\)/,
    );
  });
});

describe('pipeline files', () => {
  const good = { name: 'p', steps: [{ name: 'build', run: 'true' }] };

  it('refuses a misspelt step key with its line and the key that was meant', () => {
    fc.assert(
      fc.property(misspelt(['timeout', 'optional', 'lanes', 'kind']), ([key, typo]) => {
        fc.pre(!['name', 'run', 'kind', 'timeout', 'optional', 'lanes'].includes(typo));
        const text = `name: p\nsteps:\n  - name: build\n    run: "true"\n    ${typo}: 1\n`;
        let err: unknown;
        try {
          parsePipeline(text, 'p.yaml');
        } catch (e) {
          err = e;
        }
        expect(err).toBeInstanceOf(PipelineFileError);
        const message = (err as Error).message;
        expect(message).toContain(`line 5: steps.0.${typo}: unknown key; did you mean "${key}"?`);
      }),
      { numRuns: 30 },
    );
  });

  it('refuses any wrong value, naming the field', () => {
    expect(() =>
      parsePipeline(JSON.stringify({ ...good, steps: [{ name: 'b', run: 1 }] })),
    ).toThrow(/steps\.0\.run/);
    fc.assert(
      fc.property(
        fc.constantFrom('name', 'run', 'kind', 'timeout', 'optional', 'lanes'),
        junk,
        (key, value) => {
          const text = JSON.stringify({ ...good, steps: [{ ...good.steps[0], [key]: value }] });
          // Accepted (some junk is a valid value, e.g. optional: true) or refused by name.
          try {
            parsePipeline(text, 'p.json');
          } catch (err) {
            expect((err as Error).message).toMatch(new RegExp(`steps\\.0\\.${key}`));
          }
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe('operation inputs, janitor input, operator updates', () => {
  it('refuses malformed agent and session inputs with the field named, unknown keys with a suggestion', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(AgentCreateInput, SessionCreateInput),
        fc.constantFrom('name', 'repo', 'stepTimeoutMs'),
        junk,
        (schema, key, value) => {
          const r = schema.safeParse({ name: 'ok', [key]: value });
          expect(r.success).toBe(false);
          if (!r.success) expect(issueLines(schema, r.error).join('\n')).toContain(key);
        },
      ),
      { numRuns: 60 },
    );
    fc.assert(
      fc.property(typoOf('memoryMb'), (typo) => {
        const r = AgentCreateInput.safeParse({ name: 'ok', [typo]: 1 });
        expect(r.success).toBe(false);
        if (!r.success)
          expect(issueLines(AgentCreateInput, r.error)).toContain(
            `${typo}: unknown key; did you mean "memoryMb"?`,
          );
      }),
      { numRuns: 20 },
    );
  });

  it('refuses dangerous repository paths everywhere they enter', async () => {
    const dangerous = fc.oneof(
      fc.constant('/'),
      fc.constant('//'),
      fc.stringMatching(/^[a-z]{1,8}(\/[a-z]{1,8}){0,2}$/), // relative
      fc.stringMatching(/^(\/[a-z]{1,5}){0,2}\/\.\.(\/[a-z]{1,5}){0,2}$/), // ..
    );
    fc.assert(
      fc.property(dangerous, (repo) => {
        expect(dangerousPathReason(repo)).not.toBeNull();
        expect(AgentCreateInput.safeParse({ name: 'ok', repo }).success).toBe(false);
        expect(SessionCreateInput.safeParse({ name: 'ok', repo }).success).toBe(false);
      }),
      { numRuns: 100 },
    );
    const dataDir = path.join(scratch, 'data');
    expect(await unsafePathReason(homedir())).toMatch(/home/);
    expect(await unsafePathReason(path.join(dataDir, 'x'), { dataDir })).toMatch(/data dir/);
    const link = path.join(scratch, 'innocent');
    symlinkSync('/', link);
    expect(await unsafePathReason(link, { dataDir })).toMatch(/symlink.*root/);
    expect(await unsafePathReason(scratch, { dataDir })).toBeNull();
  });

  it('refuses malformed janitor input and operator update payloads, naming the field', () => {
    const cases = [
      [JanitorInput, ['dryRun', 'minAgeMs']],
      [ApproveInput, ['by', 'note']],
      [RejectInput, ['by', 'reason']],
      [RollbackRequest, ['toVersion', 'reason']],
    ] as const;
    for (const [schema, keys] of cases) {
      fc.assert(
        fc.property(fc.constantFrom(...keys), junk, (key, value) => {
          const base = { by: 'me', reason: 'because', note: 'n', toVersion: 'v1' };
          const r = schema.safeParse({ ...base, [key]: value });
          fc.pre(!r.success);
          if (!r.success) expect(issueLines(schema, r.error).join('\n')).toContain(key);
        }),
        { numRuns: 40 },
      );
    }
    expect(JanitorInput.safeParse({ dryrun: true }).success).toBe(false);
    expect(nearestKey('dryrun', ['dryRun', 'minAgeMs'])).toBe('dryRun');
  });
});
