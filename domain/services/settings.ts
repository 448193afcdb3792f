/**
 * A module's service: the long-lived process that runs it (`serve`) and the
 * probe that says it is healthy (`health`). Set in the evolution config file
 * (top-level keys) or with `ratchet versions config MODULE`; both feed the
 * same schema here, parsed at the edge.
 */
import { z } from 'zod';

const Command = z.string().trim().min(1, 'a command cannot be empty');

/** Stands for the port ratchet gives each copy, in a health URL (`http://127.0.0.1:{port}/health`). */
export const PORT_PLACEHOLDER = '{port}';

/**
 * The service keys, all optional: a module without `serve` has no service.
 * Spread into EvolutionConfig and the module config, so both spell them alike.
 */
export const ServiceFields = z.object({
  /** Shell command that runs the module as a long-lived process (started from its directory). */
  serve: Command.optional(),
  /**
   * An http(s) URL that must answer 2xx, or a shell command that must exit 0.
   * A URL with `{port}` gets the port ratchet gave that copy (env PORT): the
   * service can then run two copies side by side during a swap; without it
   * the service owns a fixed port and a swap stops the old copy first.
   */
  health: z.string().trim().min(1, 'health cannot be empty').optional(),
  /** How long a new version is probed before it is committed. @default 10 */
  healthWindowSec: z.number().int().min(1).max(3600).optional(),
  /** Seconds between two probes. @default 1 */
  healthIntervalSec: z.number().min(0.1).max(600).optional(),
  /** Failed probes within the window that revert the version. @default 3 */
  healthFailureThreshold: z.number().int().min(1).max(1000).optional(),
});
export type ServiceFields = z.infer<typeof ServiceFields>;

export type HealthProbe = { kind: 'http'; url: string } | { kind: 'command'; command: string };

export type SwapStrategy = 'side-by-side' | 'stop-then-start';

/** Everything the supervisor, the probes and the swap need, defaults applied. */
export interface ServiceSettings {
  serve: string;
  health: HealthProbe | null;
  healthWindowSec: number;
  healthIntervalSec: number;
  healthFailureThreshold: number;
  strategy: SwapStrategy;
  /** Deaths after the health window before the version is reverted. */
  restartBudget: number;
}

export const SERVICE_DEFAULTS = {
  healthWindowSec: 10,
  healthIntervalSec: 1,
  healthFailureThreshold: 3,
  restartBudget: 5,
} as const;

export class ServiceSettingsError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
    this.name = 'ServiceSettingsError';
  }
}

export function parseProbe(health: string): HealthProbe {
  if (/^https?:\/\//i.test(health)) {
    const url = health.replace(PORT_PLACEHOLDER, '1');
    if (!z.string().url().safeParse(url).success)
      throw new ServiceSettingsError('health', `"${health}" is not a valid URL`);
    return { kind: 'http', url: health };
  }
  return { kind: 'command', command: health };
}

/**
 * The module's service, or null when it has none. Throws ServiceSettingsError
 * (naming the field) for settings that cannot be honoured, e.g. a probe with
 * nothing to probe.
 */
export function serviceOf(fields: ServiceFields): ServiceSettings | null {
  const parsed = ServiceFields.safeParse(fields);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ServiceSettingsError(issue.path.join('.') || 'service', issue.message);
  }
  const f = parsed.data;
  if (f.serve === undefined) {
    for (const key of [
      'health',
      'healthWindowSec',
      'healthIntervalSec',
      'healthFailureThreshold',
    ] as const) {
      if (f[key] !== undefined)
        throw new ServiceSettingsError(key, 'is set but `serve` is not: there is no service');
    }
    return null;
  }
  const health = f.health === undefined ? null : parseProbe(f.health);
  const windowSec = f.healthWindowSec ?? SERVICE_DEFAULTS.healthWindowSec;
  const intervalSec = f.healthIntervalSec ?? SERVICE_DEFAULTS.healthIntervalSec;
  const threshold = f.healthFailureThreshold ?? SERVICE_DEFAULTS.healthFailureThreshold;
  if (health && intervalSec > windowSec)
    throw new ServiceSettingsError(
      'healthIntervalSec',
      `${intervalSec}s is longer than healthWindowSec (${windowSec}s): the window would see no probe`,
    );
  if (health && threshold > Math.floor(windowSec / intervalSec) + 1)
    throw new ServiceSettingsError(
      'healthFailureThreshold',
      `${threshold} failures cannot happen in a ${windowSec}s window probed every ${intervalSec}s`,
    );
  return {
    serve: f.serve,
    health,
    healthWindowSec: windowSec,
    healthIntervalSec: intervalSec,
    healthFailureThreshold: threshold,
    strategy:
      f.health !== undefined && f.health.includes(PORT_PLACEHOLDER)
        ? 'side-by-side'
        : 'stop-then-start',
    restartBudget: SERVICE_DEFAULTS.restartBudget,
  };
}

/** The probe as one copy sees it (its port filled in). */
export function probeFor(probe: HealthProbe, port: number | null): HealthProbe {
  if (probe.kind !== 'http' || port === null) return probe;
  return { kind: 'http', url: probe.url.split(PORT_PLACEHOLDER).join(String(port)) };
}

export interface ProbeResult {
  ok: boolean;
  /** ISO-8601 (activity time). */
  at: string;
  /** Status code, exit code or error, in a few words. */
  detail: string;
  durationMs: number;
}

/**
 * The health window's verdict over the probes taken so far: `revert` once
 * `threshold` failures were seen (they need not be consecutive). A probe
 * fails by itself, or counts each death of the copy since the last probe —
 * a service that dies and is restarted between two probes still failed.
 */
export function healthVerdict(
  probes: readonly { ok: boolean; deaths?: number }[],
  threshold: number,
): 'healthy' | 'revert' {
  return healthFailures(probes) >= threshold ? 'revert' : 'healthy';
}

export function healthFailures(probes: readonly { ok: boolean; deaths?: number }[]): number {
  return probes.reduce((n, p) => n + Math.max(p.ok ? 0 : 1, p.deaths ?? 0), 0);
}
