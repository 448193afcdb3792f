/**
 * Runs a prepared sandboxed command the way a runner must: detached (own
 * process group), nothing inherited from the test's environment, output capped,
 * then `finish()` and the domain's classification.
 */
import { classifyCommandEnd, type Classified } from '../../domain/sandbox';
import {
  prepareSandboxedCommand,
  type PreparedCommand,
  type SandboxHost,
  type SandboxRequest,
} from '../../activities/infra/sandbox';

export interface SandboxRun extends Classified {
  prepared: PreparedCommand;
  exitCode: number | undefined;
  signal: string | undefined;
  stdout: string;
  stderr: string;
  /** What `finish()` found (under bubblewrap: processes the command left, killed since). */
  leftProcesses: number;
}

export async function runSandboxed(
  req: SandboxRequest,
  opts: { host?: SandboxHost; timeoutMs?: number } = {},
): Promise<SandboxRun> {
  const { execa } = await import('execa');
  const prepared = await prepareSandboxedCommand(req, { host: opts.host });
  const res = await execa(prepared.file, prepared.args, {
    cwd: prepared.cwd,
    env: prepared.env,
    extendEnv: false,
    detached: true,
    stdin: 'ignore',
    reject: false,
    maxBuffer: prepared.outputBytes,
    timeout: opts.timeoutMs ?? 60_000,
    killSignal: 'SIGKILL',
  });
  const evidence = await prepared.finish();
  const stderr = String(res.stderr ?? '');
  const classified = classifyCommandEnd({
    exitCode: res.exitCode,
    signal: res.signal,
    timedOut: res.timedOut,
    outputExceeded: res.isMaxBuffer,
    stderrTail: stderr.slice(-8000),
    cgroup: evidence,
  });
  return {
    ...classified,
    prepared,
    exitCode: res.exitCode,
    signal: res.signal,
    stdout: String(res.stdout ?? ''),
    stderr,
    leftProcesses: evidence?.leftProcesses ?? 0,
  };
}
