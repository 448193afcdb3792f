/**
 * Health probes: an HTTP GET that must answer 2xx within the timeout, or a
 * shell command (the user's own) that must exit 0 — run through THE command
 * runner, so it gets its own process group and is killed at the timeout.
 */
import type { HealthProbe, ProbeResult } from '../../domain/services/settings';
import { runCommand } from '../infra/commands';

export async function probe(
  target: HealthProbe,
  options: { cwd: string; timeoutMs: number; port: number | null },
): Promise<ProbeResult> {
  const started = Date.now();
  const at = new Date(started).toISOString();
  if (target.kind === 'http') {
    try {
      const res = await fetch(target.url, { signal: AbortSignal.timeout(options.timeoutMs) });
      await res.body?.cancel();
      return { ok: res.ok, at, detail: `HTTP ${res.status}`, durationMs: Date.now() - started };
    } catch (err) {
      const cause = (err as { cause?: { code?: string } }).cause?.code;
      return {
        ok: false,
        at,
        detail: cause ?? (err as Error).name ?? 'request failed',
        durationMs: Date.now() - started,
      };
    }
  }
  const result = await runCommand({
    command: target.command,
    cwd: options.cwd,
    timeoutSec: Math.max(1, Math.ceil(options.timeoutMs / 1000)),
    killGraceMs: 500,
    ...(options.port === null ? {} : { env: { PORT: String(options.port) } }),
  });
  return {
    ok: result.exitCode === 0,
    at,
    detail: result.timedOut
      ? 'timed out'
      : (result.spawnError ?? `exit ${result.exitCode ?? result.signal}`),
    durationMs: Date.now() - started,
  };
}
