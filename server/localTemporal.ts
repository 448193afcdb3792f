/**
 * A local Temporal server by whatever means this machine allows: the Temporal
 * CLI (found or built with Go), else — on a machine with internet — the SDK's
 * own download. One function so `ratchet dev` and the test setup agree.
 */
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { SEARCH_ATTRIBUTES } from '../domain/searchAttributes';
import {
  devServerDynamicConfigArgs,
  startDevServer,
  type DevServer,
  type DevServerOptions,
} from './devServer';
import { resolveTemporalCli, TemporalCliNotFound, type CliSource } from './temporalCli';

export interface LocalTemporalOptions extends Omit<DevServerOptions, 'cliPath'> {
  cacheDir: string;
  onProgress?: (line: string) => void;
}

export interface LocalTemporal extends DevServer {
  source: CliSource | 'sdk-download';
}

export async function startLocalTemporal(options: LocalTemporalOptions): Promise<LocalTemporal> {
  let cliError: Error;
  try {
    const cli = await resolveTemporalCli({
      cacheDir: options.cacheDir,
      onProgress: options.onProgress,
    });
    return { ...(await startDevServer({ ...options, cliPath: cli.path })), source: cli.source };
  } catch (err) {
    if (!(err instanceof TemporalCliNotFound)) throw err;
    cliError = err;
  }
  options.onProgress?.('No Temporal CLI could be found or built; trying the SDK download…');
  try {
    const env = await TestWorkflowEnvironment.createLocal({
      server: {
        ip: options.ip ?? '127.0.0.1',
        port: options.port,
        ui: !options.headless && options.uiPort !== undefined,
        uiPort: options.uiPort,
        dbFilename: options.dbFilename,
        namespace: options.namespace,
        extraArgs: [
          ...Object.entries(SEARCH_ATTRIBUTES).flatMap(([n, t]) => [
            '--search-attribute',
            `${n}=${t}`,
          ]),
          ...devServerDynamicConfigArgs(options.dynamicConfig),
        ],
      },
    });
    return {
      address: `${options.ip ?? '127.0.0.1'}:${options.port}`,
      uiUrl: options.headless || !options.uiPort ? undefined : `http://localhost:${options.uiPort}`,
      pid: -1,
      source: 'sdk-download',
      stop: () => env.teardown(),
    };
  } catch (err) {
    throw new TemporalCliNotFound(
      `${cliError.message}\n(SDK download failed too: ${(err as Error).message})`,
    );
  }
}
