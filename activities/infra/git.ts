/**
 * The one way ratchet runs git: argument arrays (never a shell), on `execa`,
 * in an environment scrubbed of the caller's GIT_* variables (a stray GIT_DIR
 * or GIT_INDEX_FILE — ratchet run from a git hook — must not redirect git),
 * with a fixed identity so commits never depend on user config.
 */
import type { Readable } from 'node:stream';
import { execaModule } from './execa';

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
  /** Kill git after this long. @default none */
  timeoutMs?: number;
  cancelSignal?: AbortSignal;
}

export interface GitResult {
  stdout: Buffer;
  stderr: string;
  code: number;
}

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

export async function git(args: readonly string[], options: GitOptions = {}): Promise<GitResult> {
  const { execa } = await execaModule();
  const result = await execa('git', args, {
    cwd: options.cwd,
    env: scrubbedEnv(options.env),
    extendEnv: false,
    input: options.input ?? '',
    encoding: 'buffer',
    stripFinalNewline: false,
    maxBuffer: 1024 * 1024 * 1024,
    reject: false,
    ...(options.timeoutMs ? { timeout: options.timeoutMs } : {}),
    ...(options.cancelSignal ? { cancelSignal: options.cancelSignal } : {}),
  });
  const stderr = Buffer.from(result.stderr).toString('utf8');
  const code = result.exitCode ?? null; // null: git did not run, timed out or was cancelled
  const ok = code === 0 || (code !== null && (options.okCodes ?? []).includes(code));
  if (!ok) throw new GitError(args, code, stderr || (result.message ?? 'git failed'));
  const out = result.stdout;
  return {
    stdout: Buffer.from(out.buffer, out.byteOffset, out.byteLength),
    stderr,
    code: code ?? 0,
  };
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

/** git in repository `repo` (`git -C repo …`). */
export function gitIn(repo: string, args: readonly string[], options: GitOptions = {}) {
  return gitText(['-C', repo, ...args], options);
}

/**
 * git whose stdout is read as it comes (`cat-file --batch` over every object
 * of a checkpoint: too much to buffer), in the same scrubbed environment.
 * `onStdout` gets each chunk; resolves with the exit code and stderr once git ends.
 */
export async function gitStream(
  args: readonly string[],
  options: Pick<GitOptions, 'env' | 'cwd'> & {
    /** stdin; a stream lets the caller start git before it knows all of it. */
    input?: string | Buffer | Readable;
    onStdout: (chunk: Buffer) => void;
  },
): Promise<{ code: number | null; stderr: string }> {
  const { execa } = await execaModule();
  const child = execa('git', args, {
    cwd: options.cwd,
    env: scrubbedEnv(options.env),
    extendEnv: false,
    input: options.input ?? '',
    encoding: 'buffer',
    buffer: { stdout: false, stderr: true },
    reject: false,
  });
  child.stdout.on('data', options.onStdout);
  const result = await child;
  return {
    code: result.exitCode ?? null,
    stderr: Buffer.from(result.stderr ?? new Uint8Array()).toString('utf8'),
  };
}
