/**
 * The CLI's `main()` run in this process, stdout and stderr captured: the
 * same code path as `bin/ratchet.js` without a tsx start per call (seconds
 * each on a loaded machine). One spawned call per test file still proves the
 * real binary.
 */
import { main } from '../../client/cli';
import { ALL_COMMANDS } from '../support/allCommands';

export interface InProcessResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export async function runCli(
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<InProcessResult> {
  const saved = { ...process.env };
  Object.assign(process.env, env);
  let stdout = '';
  let stderr = '';
  const out = process.stdout.write.bind(process.stdout);
  const err = process.stderr.write.bind(process.stderr);
  process.stdout.write = (chunk: string | Uint8Array) => {
    stdout += chunk.toString();
    return true;
  };
  process.stderr.write = (chunk: string | Uint8Array) => {
    stderr += chunk.toString();
    return true;
  };
  try {
    const code = await main(['node', 'ratchet', ...args], ALL_COMMANDS);
    return { code, stdout, stderr };
  } finally {
    process.stdout.write = out;
    process.stderr.write = err;
    process.exitCode = undefined;
    for (const key of Object.keys(env)) {
      if (saved[key] === undefined) delete process.env[key];
      else process.env[key] = saved[key];
    }
  }
}
