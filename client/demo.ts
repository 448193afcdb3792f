/**
 * What `npm start` shows once the worker is up: an evolution cycle over the
 * example library (examples/mathlib) with candidate patches that exercise
 * every path — a real speed-up, a bug, a slowdown, a renamed export — and
 * its Web UI link, the approval command, and the final table of iterations
 * and lineage.
 */
import { cpSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { workflowUiUrl, type Settings } from '../config/settings';
import { formatIterations, watchCycle } from './commands/evolveWatch';
import { resolveEvolutionConfig, startEvolution } from './evolution';
import { progress } from './output';
import { packageRoot } from './packageRoot';
import { runServeDemo } from './demoServe';

const EXAMPLES = path.join(packageRoot(), 'examples');

export async function runDemo(client: Client, settings: Settings): Promise<void> {
  const stamp = Date.now().toString(36);
  // Beside the data dir, not in it: the checkpoint store refuses workspaces inside its own data.
  const demoDir = `${settings.dataDir}-demo`;
  const workspace = path.join(demoDir, `mathlib-${stamp}`);
  mkdirSync(path.dirname(workspace), { recursive: true });
  cpSync(path.join(EXAMPLES, 'mathlib'), workspace, { recursive: true });
  const approvalTimeoutSec = Number(process.env.RATCHET_DEMO_APPROVAL_TIMEOUT ?? 180);
  const config = resolveEvolutionConfig({
    moduleId: `mathlib-${stamp}`,
    workspace,
    candidate: { kind: 'patches', dir: path.join(EXAMPLES, 'mathlib-patches') },
    evaluation: { test: 'node --test', metrics: 'node bench.js', commandTimeoutSec: 300 },
    iterations: 10,
    requireApproval: true,
    approvalTimeoutSec,
    smokeCommand: 'node -e "require(\'./\')"',
    sinks: { jsonl: path.join(demoDir, `events-${stamp}.jsonl`) },
  });
  const handle = await startEvolution(client, settings.taskQueue, config, `evolve-demo-${stamp}`);
  progress('');
  progress(`Demo: evolving ${workspace}`);
  progress(`  watch it: ${workflowUiUrl(settings, handle.workflowId)}`);
  progress(`  a BREAKING candidate will wait ${approvalTimeoutSec}s for you:`);
  progress(`    npx ratchet evolve approve ${handle.workflowId} --by $USER`);
  progress(`    npx ratchet evolve reject ${handle.workflowId} --by $USER --reason "not now"`);
  progress('');
  const result = await watchCycle(client, handle.workflowId);
  progress('');
  progress(formatIterations(result));
  await runServeDemo(client, settings, { moduleId: config.moduleId, workspace });
  progress('');
  progress(
    `Demo finished. The server and worker keep running: ${workflowUiUrl(settings, handle.workflowId)} — Ctrl-C to stop.`,
  );
}
