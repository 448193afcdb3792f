import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  cachedCliPath,
  findTemporalCli,
  resolveTemporalCli,
  TemporalCliNotFound,
} from '../../server/temporalCli';

function fakeBinary(file: string): string {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, '#!/bin/sh\nexit 0\n');
  chmodSync(file, 0o755);
  return file;
}

describe('Temporal CLI resolution order', () => {
  const root = mkdtempSync(path.join(tmpdir(), 'ratchet-cli-'));
  const cacheDir = path.join(root, 'cache');
  const cached = fakeBinary(cachedCliPath(cacheDir));
  const onPath = fakeBinary(path.join(root, 'bin', 'temporal'));
  const explicit = fakeBinary(path.join(root, 'explicit', 'temporal'));

  it('prefers TEMPORAL_CLI_PATH, then PATH, then the cache', () => {
    const PATH = path.join(root, 'bin');
    expect(findTemporalCli(cacheDir, { TEMPORAL_CLI_PATH: explicit, PATH })).toEqual({
      path: explicit,
      source: 'env',
    });
    expect(findTemporalCli(cacheDir, { PATH })).toEqual({ path: onPath, source: 'path' });
    expect(findTemporalCli(cacheDir, { PATH: '/nonexistent' })).toEqual({
      path: cached,
      source: 'cache',
    });
  });

  it('refuses a TEMPORAL_CLI_PATH that is not executable', () => {
    expect(() => findTemporalCli(cacheDir, { TEMPORAL_CLI_PATH: path.join(root, 'nope') })).toThrow(
      TemporalCliNotFound,
    );
  });

  it('says what to install when nothing is found and building is off', async () => {
    await expect(
      resolveTemporalCli({ cacheDir: path.join(root, 'empty'), env: { PATH: '' }, build: false }),
    ).rejects.toThrow(/Install one of:[\s\S]*go install github.com\/temporalio\/cli/);
  });
});
