/**
 * Running git with argument arrays (never a shell), in an environment that
 * names exactly which repository, work tree and index it may touch.
 */
import { spawn } from 'node:child_process';

export class GitError extends Error {
  override name = 'GitError';
  constructor(
    readonly args: readonly string[],
    readonly code: number | null,
    readonly stderr: string,
  ) {
    super(`git ${args.slice(0, 3).join(' ')} failed (${code}): ${stderr.trim().split('\n')[0]}`);
  }
}

export interface GitOptions {
  /** Extra environment (GIT_DIR, GIT_WORK_TREE, GIT_INDEX_FILE…) on top of a scrubbed one. */
  env?: Record<string, string>;
  cwd?: string;
  input?: string | Buffer;
  /** Exit codes that are answers, not failures (e.g. 1 from `git check-ignore`). */
  okCodes?: number[];
}

export interface GitResult {
  stdout: Buffer;
  stderr: string;
  code: number;
}

/**
 * The parent's GIT_* variables are dropped (ratchet may itself run inside a
 * git hook), and identity is fixed so commits never depend on user config.
 */
export function scrubbedEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('GIT_')) env[k] = v;
  return {
    ...env,
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_TERMINAL_PROMPT: '0',
    GIT_AUTHOR_NAME: 'ratchet',
    GIT_AUTHOR_EMAIL: 'ratchet@localhost',
    GIT_COMMITTER_NAME: 'ratchet',
    GIT_COMMITTER_EMAIL: 'ratchet@localhost',
    ...extra,
  };
}

export function git(args: readonly string[], options: GitOptions = {}): Promise<GitResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', args, {
      cwd: options.cwd,
      env: scrubbedEnv(options.env),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', reject);
    child.on('close', (code) => {
      const stderr = Buffer.concat(err).toString('utf8');
      const ok = code === 0 || (code !== null && (options.okCodes ?? []).includes(code));
      if (!ok) reject(new GitError(args, code, stderr));
      else resolve({ stdout: Buffer.concat(out), stderr, code: code ?? 0 });
    });
    child.stdin.on('error', () => undefined); // git may exit before reading all input
    child.stdin.end(options.input ?? '');
  });
}

/** stdout as trimmed text. */
export async function gitText(args: readonly string[], options: GitOptions = {}): Promise<string> {
  return (await git(args, options)).stdout.toString('utf8').trim();
}

/** NUL-separated stdout (`-z`) as a list. */
export async function gitList(
  args: readonly string[],
  options: GitOptions = {},
): Promise<string[]> {
  const text = (await git(args, options)).stdout.toString('utf8');
  return text.split('\0').filter((s) => s.length > 0);
}
