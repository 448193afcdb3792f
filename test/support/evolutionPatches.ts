/** Patch files (as `git diff` writes them) for the fixture library: each change against BASE_FILES. */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { BASE_FILES, writeFiles } from './evolutionFixture';

/** Writes `<NN>-<name>.patch` into `dir`, in the given order. */
export function writePatches(
  dir: string,
  changes: Array<{ name: string; files: Record<string, string> }>,
): string[] {
  mkdirSync(dir, { recursive: true });
  const repo = mkdtempSync(path.join(tmpdir(), 'ratchet-patches-'));
  const git = (...args: string[]) =>
    execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...args], {
      cwd: repo,
      env: { ...process.env, GIT_CEILING_DIRECTORIES: path.dirname(repo) },
    }).toString();
  try {
    git('init', '-q');
    writeFiles(repo, BASE_FILES);
    git('add', '-A');
    git('commit', '-qm', 'base');
    return changes.map((change, i) => {
      writeFiles(repo, change.files);
      git('add', '-A');
      const file = path.join(dir, `${String(i + 1).padStart(2, '0')}-${change.name}.patch`);
      writeFileSync(file, git('diff', '--cached'));
      git('reset', '-q', '--hard');
      return file;
    });
  } finally {
    rmSync(repo, { recursive: true, force: true });
  }
}
