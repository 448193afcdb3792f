/**
 * Candidate changes: the next patch from a patch directory (unified diffs as
 * `git diff` writes them, in file-name order), or a mutator command. Either
 * way the paths it touches are checked against the module's edit scope
 * before anything is evaluated.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { lstat, readFile, readdir, readlink } from 'node:fs/promises';
import path from 'node:path';
import { ApplicationFailure } from '@temporalio/activity';
import type { EditScope } from '../../domain/evolution/config';
import { scopeViolations } from '../../domain/evolution/editScope';
import { limitFailure, type CandidateResult } from '../../domain/evolution/failures';
import { DEFAULT_SANDBOX_SETTINGS, type SandboxSettings } from '../../domain/sandbox';
import { runCommand } from '../infra/commands';
import { git, GitError } from '../infra/git';

export type { CandidateResult };

function describeViolations(result: Pick<CandidateResult, 'violations'>): string {
  return `touches paths outside its edit scope: ${result.violations.map((v) => `${v.path} (${v.reason})`).join(', ')}`;
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
function gitEnv(workspace: string): Record<string, string> {
  return { GIT_CEILING_DIRECTORIES: path.dirname(workspace) };
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
  const { stdout } = await git(['apply', '--numstat', '-z', patchFile], {
    cwd: workspace,
    env: gitEnv(workspace),
  });
  const fields = stdout.toString('utf8').split('\0');
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
      failure: {
        reason: 'patch_does_not_apply',
        message: `unreadable patch: ${(err as Error).message}`,
      },
    };
  }
  const violations = scopeViolations(changedPaths, input.scope);
  if (violations.length) {
    return {
      applied: false,
      changedPaths,
      violations,
      failure: { reason: 'edit_scope', message: describeViolations({ violations }) },
    };
  }
  try {
    await git(['apply', '--whitespace=nowarn', input.patchFile], {
      cwd: input.workspace,
      env: gitEnv(input.workspace),
    });
  } catch (err) {
    const stderr = err instanceof GitError ? err.stderr : (err as Error).message;
    return {
      applied: false,
      changedPaths,
      violations,
      failure: {
        reason: 'patch_does_not_apply',
        message: `patch does not apply: ${stderr.trim()}`,
      },
    };
  }
  return { applied: true, changedPaths, violations, failure: null };
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

/**
 * Runs the mutator once. The workflow guarantees the workspace equals the
 * pre-candidate checkpoint when this starts (it restores it before any
 * retry), so `before` is that checkpoint's tree, never one the mutator
 * already touched.
 */
export async function runMutator(
  input: {
    workspace: string;
    command: string;
    timeoutSec: number;
    scope: EditScope;
    iteration: number;
    /** The module's sandbox settings; absent (cycles started before the sandbox): the defaults. */
    sandbox?: SandboxSettings;
  },
  hide: readonly string[] = [],
): Promise<CandidateResult> {
  requireDir(input.workspace, 'the workspace');
  const before = await manifest(input.workspace);
  const result = await runCommand({
    command: input.command,
    cwd: input.workspace,
    timeoutSec: input.timeoutSec,
    env: { RATCHET_ITERATION: String(input.iteration) },
    exclusiveCwd: true,
    sandbox: {
      settings: input.sandbox ?? DEFAULT_SANDBOX_SETTINGS,
      workspace: input.workspace,
      hide,
    },
  });
  const reject = (failure: CandidateResult['failure'], changedPaths: string[] = []) => ({
    applied: false,
    changedPaths,
    violations: scopeViolations(changedPaths, input.scope),
    failure,
  });
  if (!existsSync(input.workspace) || !statSync(input.workspace).isDirectory()) {
    return reject({ reason: 'workspace_destroyed', message: 'the mutator removed the workspace' });
  }
  const after = await manifest(input.workspace);
  const changedPaths = [...new Set([...before.keys(), ...after.keys()])]
    .filter((p) => before.get(p) !== after.get(p))
    .sort();
  const violations = scopeViolations(changedPaths, input.scope);
  if (result.timedOut) {
    return reject(
      { reason: 'mutator_timeout', message: `mutator timed out after ${input.timeoutSec}s` },
      changedPaths,
    );
  }
  if (result.limit) return reject(limitFailure(result.limit, 'the mutator'), changedPaths);
  if (result.exitCode !== 0 || result.spawnError) {
    return reject(
      {
        reason: 'mutator_crashed',
        message: `mutator exited ${result.exitCode ?? result.signal ?? result.spawnError}: ${result.stderrTail.slice(-500)}`,
      },
      changedPaths,
    );
  }
  if (violations.length) {
    return reject(
      { reason: 'edit_scope', message: describeViolations({ violations }) },
      changedPaths,
    );
  }
  if (result.leftProcesses > 0) {
    return reject(
      {
        reason: 'processes_left',
        message: `mutator left ${result.leftProcesses} process(es) running`,
      },
      changedPaths,
    );
  }
  if (changedPaths.length === 0) {
    return reject({ reason: 'mutator_no_change', message: 'mutator changed nothing' });
  }
  return { applied: true, changedPaths, violations, failure: null };
}
