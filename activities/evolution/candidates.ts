/**
 * Candidate changes: the next patch from a patch directory (unified diffs as
 * `git diff` writes them, in file-name order), or a mutator command. Either
 * way the paths it touches are checked against the module's edit scope
 * before anything is evaluated.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { lstat, readFile, readdir, readlink } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { ApplicationFailure } from '@temporalio/activity';
import type { EditScope } from '../../domain/evolution/config';
import { scopeViolations, type ScopeViolation } from '../../domain/evolution/editScope';
import { runShellCommand } from './shellCommand';

const execFileAsync = promisify(execFile);

export interface CandidateResult {
  applied: boolean;
  /** Workspace-relative paths the candidate touched. */
  changedPaths: string[];
  violations: ScopeViolation[];
  error: string | null;
}

function requireDir(dir: string, what: string): void {
  if (!path.isAbsolute(dir) || !existsSync(dir) || !statSync(dir).isDirectory()) {
    throw ApplicationFailure.create({
      type: 'InvalidEvolutionInput',
      message: `${what} must be an existing absolute directory: ${dir}`,
      nonRetryable: true,
    });
  }
}

/** git must not discover a repository above the workspace and apply paths relative to it. */
function gitEnv(workspace: string): NodeJS.ProcessEnv {
  return { ...process.env, GIT_CEILING_DIRECTORIES: path.dirname(workspace) };
}

export async function listPatches(dir: string): Promise<string[]> {
  requireDir(dir, 'the patch directory');
  return readdirSync(dir)
    .filter((f) => /\.(patch|diff)$/.test(f))
    .sort()
    .map((f) => path.join(dir, f));
}

/** Paths a patch touches (both sides of renames), read with `git apply --numstat -z`. */
async function patchPaths(workspace: string, patchFile: string): Promise<string[]> {
  const { stdout } = await execFileAsync('git', ['apply', '--numstat', '-z', patchFile], {
    cwd: workspace,
    env: gitEnv(workspace),
  });
  const fields = stdout.split('\0');
  const paths: string[] = [];
  for (let i = 0; i < fields.length; i++) {
    const record = fields[i]!;
    if (!record) continue;
    const parts = record.split('\t');
    if (parts.length === 3 && parts[2] !== '') paths.push(parts[2]!);
    else if (parts.length === 3) {
      // Rename/copy: the two paths follow as their own NUL-terminated fields.
      paths.push(fields[i + 1]!, fields[i + 2]!);
      i += 2;
    }
  }
  return [...new Set(paths)];
}

export async function applyPatch(input: {
  workspace: string;
  patchFile: string;
  scope: EditScope;
}): Promise<CandidateResult> {
  requireDir(input.workspace, 'the workspace');
  let changedPaths: string[];
  try {
    changedPaths = await patchPaths(input.workspace, input.patchFile);
  } catch (err) {
    return {
      applied: false,
      changedPaths: [],
      violations: [],
      error: `unreadable patch: ${(err as Error).message}`,
    };
  }
  const violations = scopeViolations(changedPaths, input.scope);
  if (violations.length) return { applied: false, changedPaths, violations, error: null };
  try {
    await execFileAsync('git', ['apply', '--whitespace=nowarn', input.patchFile], {
      cwd: input.workspace,
      env: gitEnv(input.workspace),
    });
  } catch (err) {
    const stderr = (err as { stderr?: string }).stderr ?? (err as Error).message;
    return {
      applied: false,
      changedPaths,
      violations,
      error: `patch does not apply: ${stderr.trim()}`,
    };
  }
  return { applied: true, changedPaths, violations, error: null };
}

const SKIP_DIRS = new Set(['.git', 'node_modules']);

/** path → content hash and mode, to see what a mutator changed. */
async function manifest(
  root: string,
  rel = '',
  out = new Map<string, string>(),
): Promise<Map<string, string>> {
  for (const entry of await readdir(path.join(root, rel), { withFileTypes: true })) {
    const relPath = rel ? `${rel}/${entry.name}` : entry.name;
    const abs = path.join(root, relPath);
    if (entry.isDirectory()) {
      if (!SKIP_DIRS.has(entry.name)) await manifest(root, relPath, out);
    } else if (entry.isSymbolicLink()) {
      out.set(relPath, `link:${await readlink(abs)}`);
    } else if (entry.isFile()) {
      const st = await lstat(abs);
      const hash = createHash('sha1')
        .update(await readFile(abs))
        .digest('hex');
      out.set(relPath, `${st.mode & 0o777}:${hash}`);
    }
  }
  return out;
}

export async function runMutator(input: {
  workspace: string;
  command: string;
  timeoutSec: number;
  scope: EditScope;
  iteration: number;
}): Promise<CandidateResult> {
  requireDir(input.workspace, 'the workspace');
  const before = await manifest(input.workspace);
  const result = await runShellCommand(input.command, {
    cwd: input.workspace,
    timeoutSec: input.timeoutSec,
    env: { RATCHET_ITERATION: String(input.iteration) },
  });
  const after = await manifest(input.workspace);
  const changedPaths = [...new Set([...before.keys(), ...after.keys()])]
    .filter((p) => before.get(p) !== after.get(p))
    .sort();
  const violations = scopeViolations(changedPaths, input.scope);
  if (result.exitCode !== 0) {
    const why = result.timedOut
      ? `timed out after ${input.timeoutSec}s`
      : `exited ${result.exitCode ?? result.signal}`;
    return {
      applied: false,
      changedPaths,
      violations,
      error: `mutator ${why}: ${result.stderrTail.slice(-500)}`,
    };
  }
  if (changedPaths.length === 0) {
    return { applied: false, changedPaths, violations, error: 'mutator changed nothing' };
  }
  return { applied: violations.length === 0, changedPaths, violations, error: null };
}
