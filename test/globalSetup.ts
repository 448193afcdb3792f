/**
 * One real Temporal server per test run: `temporal server start-dev` on free
 * ports with an in-memory database, torn down at the end. Set
 * RATCHET_TEST_TEMPORAL_ADDRESS to run the suite against an existing server.
 * The workflow code is bundled once here so each test file's worker starts fast.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { startLocalTemporal, type LocalTemporal } from '../server/localTemporal';
import { freePort } from '../server/ports';
import { WORKFLOW_INTERCEPTOR_MODULES, WORKFLOWS_PATH } from '../workers/worker';

declare module 'vitest' {
  export interface ProvidedContext {
    temporalAddress: string;
    workflowBundlePath: string;
  }
}

/** The part of vitest's TestProject this setup uses (its types are ESM-only). */
interface TestProject {
  provide<K extends 'temporalAddress' | 'workflowBundlePath'>(key: K, value: string): void;
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const scratch = mkdtempSync(path.join(tmpdir(), 'ratchet-test-'));
  let server: LocalTemporal | undefined;
  let address = process.env.RATCHET_TEST_TEMPORAL_ADDRESS;
  if (!address) {
    // The dev server has been seen to die at start once in many runs (a Go panic);
    // a second try on a fresh port, rather than a red suite.
    for (let attempt = 1; !server; attempt++) {
      try {
        server = await startLocalTemporal({
          cacheDir: process.env.RATCHET_CACHE_DIR ?? path.join(homedir(), '.cache', 'ratchet'),
          port: await freePort(),
          headless: true,
          onProgress: (line) => process.stderr.write(`[temporal] ${line}\n`),
        });
      } catch (err) {
        if (attempt >= 3) throw err;
        // Kept whole in the log: the server's first lines name the panic's cause.
        process.stderr.write(
          `[temporal] the test server did not start; trying again:\n${String(err)}\n`,
        );
      }
    }
    address = server.address;
    process.stderr.write(`[temporal] test server on ${address} (${server.source})\n`);
  }
  let code: string;
  try {
    ({ code } = await bundleWorkflowCode({
      workflowsPath: WORKFLOWS_PATH,
      workflowInterceptorModules: WORKFLOW_INTERCEPTOR_MODULES,
      logger: { trace() {}, debug() {}, info() {}, warn() {}, error() {}, log() {} },
    }));
  } catch (err) {
    await server?.stop();
    throw err;
  }
  const bundlePath = path.join(scratch, 'workflow-bundle.js');
  writeFileSync(bundlePath, code);
  project.provide('temporalAddress', address);
  project.provide('workflowBundlePath', bundlePath);
  return async () => {
    await server?.stop();
    rmSync(scratch, { recursive: true, force: true });
  };
}
