/**
 * Ratchet's configuration: defaults, then `ratchet.config.json`, then the
 * environment. Parsed once with zod at start; a bad value fails with a
 * message that names the setting and where it came from.
 */
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
// zod/mini, not classic zod: the same checks and messages, a twentieth of the
// code to load — every command parses these settings, the CLI's polled reads
// (client/fastReadEntry.ts) before anything else, and classic zod alone cost
// them ~40 ms of a ~150 ms cold start.
import * as z from 'zod/mini';
import { en } from 'zod/locales';
import { DEFAULT_HOST_WAIT_MS, HOST_ID_MESSAGE, HOST_ID_PATTERN } from '../domain/hostId';
import { dangerousPathReason } from '../domain/paths';
import { namedIssues } from '../domain/strictKeys';

// Classic zod installs its English messages when loaded; zod/mini leaves them to us.
z.config(en());

const hostPort = z
  .string()
  .check(z.regex(/^[^\s:]+:\d{1,5}$/, 'expected host:port, e.g. 127.0.0.1:7233'));
const nonEmpty = () => z.string().check(z.minLength(1));
const port = () => z.coerce.number().check(z.int(), z.minimum(1), z.maximum(65535));

export const LogLevel = z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']);
export type LogLevel = z.infer<typeof LogLevel>;

export const Settings = z
  // A misspelt setting is refused with the nearest known one, never silently dropped.
  .strictObject({
    temporal: z._default(
      z.strictObject({
        /** @default '127.0.0.1:7233' */
        address: z._default(hostPort, '127.0.0.1:7233'),
        /** @default 'default' */
        namespace: z._default(nonEmpty(), 'default'),
        /** mTLS client certificate and key, for Temporal Cloud or a secured cluster. */
        tls: z.optional(
          z.object({
            certPath: nonEmpty(),
            keyPath: nonEmpty(),
            caPath: z.optional(nonEmpty()),
            serverName: z.optional(nonEmpty()),
          }),
        ),
        apiKey: z.optional(nonEmpty()),
      }),
      { address: '127.0.0.1:7233', namespace: 'default' },
    ),
    /** @default 'ratchet' */
    taskQueue: z._default(nonEmpty(), 'ratchet'),
    /** Where ratchet keeps its registry, checkpoints and the dev server's database. @default '.ratchet' */
    dataDir: z._default(nonEmpty(), '.ratchet'),
    /** Where the Temporal CLI binary is cached between clones. */
    cacheDir: z._default(nonEmpty(), path.join(homedir(), '.cache', 'ratchet')),
    /** @default 8233 */
    uiPort: z._default(port(), 8233),
    /** Base URL of the Temporal Web UI, for links printed next to every run. */
    uiUrl: z.optional(z.string().check(z.url())),
    /** host:port for the worker's Prometheus endpoint; unset = off. */
    metricsAddress: z.optional(hostPort),
    /**
     * This machine's host id (issue 14): runs started here are owned by it,
     * and its worker polls `<taskQueue>@<hostId>`. @default hostname + a hash
     * of the data dir (config/hosts.ts), stable across restarts
     */
    hostId: z.optional(z.string().check(z.regex(HOST_ID_PATTERN, HOST_ID_MESSAGE))),
    /** How long a host-bound activity waits for its host's worker before the run parks. @default 600 */
    hostWaitSeconds: z._default(
      z.coerce.number().check(z.int(), z.minimum(1)),
      DEFAULT_HOST_WAIT_MS / 1000,
    ),
    log: z._default(
      z.strictObject({
        level: z._default(LogLevel, 'info'),
        /** 'json' for machines, 'pretty' for people; default: pretty on a terminal. */
        format: z.optional(z.enum(['json', 'pretty'])),
      }),
      { level: 'info' },
    ),
  });
export type Settings = z.infer<typeof Settings>;

/** Environment variables and the setting each one sets. */
const ENV_MAP: ReadonlyArray<[string, string[]]> = [
  ['TEMPORAL_ADDRESS', ['temporal', 'address']],
  ['TEMPORAL_NAMESPACE', ['temporal', 'namespace']],
  ['TEMPORAL_TLS_CERT', ['temporal', 'tls', 'certPath']],
  ['TEMPORAL_TLS_KEY', ['temporal', 'tls', 'keyPath']],
  ['TEMPORAL_TLS_CA', ['temporal', 'tls', 'caPath']],
  ['TEMPORAL_TLS_SERVER_NAME', ['temporal', 'tls', 'serverName']],
  ['TEMPORAL_API_KEY', ['temporal', 'apiKey']],
  ['RATCHET_TASK_QUEUE', ['taskQueue']],
  ['RATCHET_DATA_DIR', ['dataDir']],
  ['RATCHET_CACHE_DIR', ['cacheDir']],
  ['RATCHET_UI_PORT', ['uiPort']],
  ['RATCHET_UI_URL', ['uiUrl']],
  ['RATCHET_METRICS_ADDRESS', ['metricsAddress']],
  ['RATCHET_LOG_LEVEL', ['log', 'level']],
  ['RATCHET_LOG_FORMAT', ['log', 'format']],
  ['RATCHET_HOST_ID', ['hostId']],
  ['RATCHET_HOST_WAIT_SECONDS', ['hostWaitSeconds']],
];

export class ConfigError extends Error {
  override name = 'ConfigError';
}

function setPath(target: Record<string, unknown>, keys: string[], value: unknown): void {
  let node = target;
  for (const key of keys.slice(0, -1)) {
    const next = node[key];
    if (typeof next !== 'object' || next === null) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[keys[keys.length - 1]!] = value;
}

export interface LoadSettingsOptions {
  env?: NodeJS.ProcessEnv;
  /** Explicit config file; otherwise RATCHET_CONFIG, then ./ratchet.config.json if present. */
  configFile?: string;
  cwd?: string;
}

/** Loads and validates settings; throws ConfigError naming the bad setting. */
export function loadSettings(options: LoadSettingsOptions = {}): Settings {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const explicit = options.configFile ?? env.RATCHET_CONFIG;
  const file = path.resolve(cwd, explicit ?? 'ratchet.config.json');
  const sources = new Map<string, string>();
  let raw: Record<string, unknown> = {};
  if (existsSync(file)) {
    try {
      raw = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    } catch (err) {
      throw new ConfigError(`invalid configuration file ${file}: ${(err as Error).message}`);
    }
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
      throw new ConfigError(`invalid configuration file ${file}: expected a JSON object`);
    }
  } else if (explicit) {
    throw new ConfigError(`configuration file not found: ${file}`);
  }
  for (const [name, keys] of ENV_MAP) {
    const value = env[name];
    if (value !== undefined && value !== '') {
      setPath(raw, keys, value);
      sources.set(keys.join('.'), name);
    }
  }
  const parsed = Settings.safeParse(raw);
  if (!parsed.success) {
    const lines = parsed.error.issues
      .flatMap((issue) => namedIssues(Settings, issue))
      .map(({ field, message }) => {
        const from = sources.get(field) ?? (existsSync(file) ? path.basename(file) : 'default');
        return `  ${field} (from ${from}): ${message}`;
      });
    throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
  }
  const settings = parsed.data;
  settings.dataDir = path.resolve(cwd, settings.dataDir);
  // The janitor and compensations delete under the data dir: never let it be / or $HOME.
  const unsafe = dangerousPathReason(settings.dataDir, { home: homedir() });
  if (unsafe) {
    const from = sources.get('dataDir') ?? (existsSync(file) ? path.basename(file) : 'default');
    throw new ConfigError(`invalid configuration:\n  dataDir (from ${from}): ${unsafe}`);
  }
  return settings;
}

/** The Web UI base URL: the configured one, else the local dev server's. */
export function uiBaseUrl(settings: Settings): string {
  return (settings.uiUrl ?? `http://localhost:${settings.uiPort}`).replace(/\/$/, '');
}

/** A link to one workflow run in the Web UI. */
export function workflowUiUrl(settings: Settings, workflowId: string, runId?: string): string {
  const base = `${uiBaseUrl(settings)}/namespaces/${encodeURIComponent(settings.temporal.namespace)}/workflows/${encodeURIComponent(workflowId)}`;
  return runId ? `${base}/${encodeURIComponent(runId)}` : base;
}
