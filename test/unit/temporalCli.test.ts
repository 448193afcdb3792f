import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
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

/**
 * A stand-in `go` on PATH: `go version` answers; `go install` prints a download
 * line and writes a `temporal` into GOBIN, or (FAKE_GO_FAIL) fails like a build.
 */
function fakeGo(dir: string): string {
  const file = path.join(dir, 'go');
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    file,
    [
      '#!/bin/sh',
      '[ "$1" = version ] && { echo "go version go1.26 linux/amd64"; exit 0; }',
      'echo "go: downloading example.com/dep v1.0.0" >&2',
      '[ -n "$FAKE_GO_FAIL" ] && { echo "compile: undefined: x" >&2; exit 1; }',
      'printf "#!/bin/sh\\necho built\\n" > "$GOBIN/temporal" && chmod +x "$GOBIN/temporal"',
      '',
    ].join('\n'),
  );
  chmodSync(file, 0o755);
  return file;
}

describe('building the Temporal CLI with Go', () => {
  const root = mkdtempSync(path.join(tmpdir(), 'ratchet-gobuild-'));
  const bin = path.join(root, 'bin');
  fakeGo(bin);
  const PATH = `${bin}:/usr/bin:/bin`;

  it('builds into the cache through a staging dir it removes', async () => {
    const cacheDir = path.join(root, 'ok');
    const lines: string[] = [];
    const cli = await resolveTemporalCli({
      cacheDir,
      env: { PATH },
      onProgress: (l) => lines.push(l),
    });
    expect(cli).toEqual({ path: cachedCliPath(cacheDir), source: 'go-build' });
    expect(findTemporalCli(cacheDir, { PATH: '/nonexistent' })?.source).toBe('cache');
    // No half-built leftovers beside the binary.
    expect(readdirSync(path.dirname(cli.path))).toEqual(['temporal']);
    expect(lines.at(-1)).toMatch(/Temporal CLI built in \d+s/);
  });

  it('a failed build says why (the last lines go printed) and leaves no binary or staging dir', async () => {
    const cacheDir = path.join(root, 'fail');
    const failed = resolveTemporalCli({ cacheDir, env: { PATH, FAKE_GO_FAIL: '1' } });
    await expect(failed).rejects.toThrow(TemporalCliNotFound);
    await expect(failed).rejects.toThrow(/go install failed \(1\)[\s\S]*compile: undefined: x/);
    expect(existsSync(cachedCliPath(cacheDir))).toBe(false);
    expect(readdirSync(path.dirname(cachedCliPath(cacheDir)))).toEqual([]);
  });
});
