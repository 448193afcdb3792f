/**
 * The fault matrix for an evolution iteration: the worker is SIGKILLed at
 * every step boundary of an iteration (checkpoint, candidate, evaluate, judge,
 * compatibility, accept) and inside its compensation (the restore of a
 * rollback), by a fault plan on the cycle (domain/faults.ts) that the
 * iteration inherits — a named point, never a sleep. A new worker finishes
 * the cycle, and the world is checked against an undisturbed run: the same
 * decisions, the same lineage (each version once), the workspace exactly at
 * the accepted or restored tree, nothing left running in it.
 */
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { processesInDir } from '../../activities/infra/commands';
import { resolveEvolutionConfig, startEvolution } from '../../client/evolution';
import { withFaults } from '../../client/faults';
import type { CycleResult } from '../../domain/evolution/results';
import type { Fault } from '../../domain/faults';
import {
  BASE_FILES,
  CHANGES,
  baseConfig,
  readTree,
  writeFiles,
  writeMutator,
} from '../support/evolutionFixture';
import { startWorker, type WorkerProcess } from '../support/workerProcess';
import type { PointResult } from './faultMatrix';

/** accept: a faster candidate that is kept; rollback: a candidate whose tests fail. */
export type Scenario = 'accept' | 'rollback';

export interface EvolutionPoint {
  scenario: Scenario;
  /** e.g. "after candidate", "inside restore (after)" */
  point: string;
  kill: Omit<Fault, 'onceFile'>;
}

const ITERATION = 'evolutionIteration';

/** Each step's activity in the iteration workflow (the judge is workflow code: its boundary is compatibility's start). */
export function evolutionPoints(): EvolutionPoint[] {
  const at = (
    scenario: Scenario,
    point: string,
    activity: string,
    phase: 'before' | 'after',
  ): EvolutionPoint => ({
    scenario,
    point,
    kill: { activity, mode: 'kill', phase, workflowType: ITERATION },
  });
  return [
    at('accept', 'before checkpoint', 'workspaceChecksum', 'before'),
    at('accept', 'after checkpoint', 'workspaceChecksum', 'after'),
    at('accept', 'before candidate', 'runMutator', 'before'),
    at('accept', 'after candidate', 'runMutator', 'after'),
    at('accept', "after candidate's checkpoint", 'createCheckpoint', 'after'),
    at('accept', 'before evaluate', 'runTests', 'before'),
    at('accept', 'after evaluate', 'collectMetrics', 'after'),
    at('accept', 'after judge', 'assessCompatibility', 'before'),
    at('accept', 'after compatibility', 'assessCompatibility', 'after'),
    at('accept', 'before accept', 'setVersionStatus', 'before'),
    at('accept', 'after accept', 'setVersionStatus', 'after'),
    at('rollback', 'before rollback', 'setVersionStatus', 'before'),
    at('rollback', 'inside restore (before)', 'restoreCheckpoint', 'before'),
    at('rollback', 'inside restore (after)', 'restoreCheckpoint', 'after'),
  ];
}

export interface EvolutionMatrixContext {
  client: Client;
  address: string;
  bundlePath: string;
  /** A fresh directory per point is made under it. */
  root: string;
}

/** What must not differ from an undisturbed run. */
export interface CycleOutcome {
  state: string;
  finalVersion: string | null;
  decisions: string[];
  lineage: string[];
  tree: Record<string, string>;
}

export function outcomeOf(result: CycleResult, workspace: string): CycleOutcome {
  return {
    state: result.state,
    finalVersion: result.finalVersion,
    decisions: result.iterations.map((r) => `${r.version}:${r.decision}:${r.reasonCode ?? '-'}`),
    lineage: result.lineage.map((v) => `${v.version}:${v.status}`),
    tree: readTree(workspace),
  };
}

/** The world an undisturbed cycle of this scenario ends in. */
export function expectedOutcome(scenario: Scenario): CycleOutcome {
  return scenario === 'accept'
    ? {
        state: 'completed',
        finalVersion: 'v2',
        decisions: ['v2:accepted:-'],
        lineage: ['v1:accepted', 'v2:active'],
        tree: { ...BASE_FILES, ...CHANGES.faster },
      }
    : {
        state: 'completed',
        finalVersion: 'v1',
        decisions: ['v2:rolled_back:tests_failed'],
        lineage: ['v1:active', 'v2:rolled_back'],
        tree: { ...BASE_FILES },
      };
}

/** Differences between two outcomes, as readable lines. */
export function outcomeProblems(got: CycleOutcome, want: CycleOutcome): string[] {
  const out: string[] = [];
  for (const key of ['state', 'finalVersion', 'decisions', 'lineage'] as const) {
    const [g, w] = [JSON.stringify(got[key]), JSON.stringify(want[key])];
    if (g !== w) out.push(`${key} ${g}, undisturbed ${w}`);
  }
  const files = new Set([...Object.keys(got.tree), ...Object.keys(want.tree)]);
  const differ = [...files].filter((f) => got.tree[f] !== want.tree[f]);
  if (differ.length) out.push(`workspace differs in ${differ.join(', ')}`);
  return out;
}

/** Runs one cycle of the scenario (killed at `point` when given) on its own queue and data dir. */
export async function runEvolutionPoint(
  ctx: EvolutionMatrixContext,
  scenario: Scenario,
  point: EvolutionPoint | null,
  index: number,
): Promise<PointResult & { outcome: CycleOutcome | null }> {
  const started = Date.now();
  const dir = path.join(ctx.root, `evo-${index}`);
  const workspace = path.join(dir, 'lib');
  const scripts = path.join(dir, 'scripts');
  mkdirSync(workspace, { recursive: true });
  mkdirSync(scripts);
  writeFiles(workspace, BASE_FILES);
  const change = scenario === 'accept' ? CHANGES.faster : CHANGES.bug;
  const config = resolveEvolutionConfig(
    baseConfig(workspace, writeMutator(scripts, { 1: { files: change } }), {
      expose: [scripts],
      iterations: 1,
    }),
  );
  const marker = path.join(dir, 'kill.marker');
  const faults: Fault[] = point ? [{ ...point.kill, onceFile: marker }] : [];
  const spec = {
    address: ctx.address,
    bundlePath: ctx.bundlePath,
    taskQueue: `evo-faults-${index}-${Date.now().toString(36)}`,
    dataDir: path.join(dir, 'data'),
  };
  let worker: WorkerProcess = await startWorker(spec);
  const problems: string[] = [];
  let outcome: CycleOutcome | null = null;
  let killed = false;
  try {
    const handle = await startEvolution(
      withFaults(ctx.client, faults),
      spec.taskQueue,
      config,
      `evolve-faults-${index}-${Date.now().toString(36)}`,
    );
    const result = handle.result();
    result.catch(() => undefined);
    // The kill is the worker's own (it creates the marker, then SIGKILLs itself); a cycle
    // that ends first never reached the point.
    const first = await Promise.race([worker.exited.then(() => 'exited'), result]);
    if (first === 'exited') {
      killed = existsSync(marker);
      worker = await startWorker(spec);
    }
    outcome = outcomeOf(await result, workspace);
    problems.push(...outcomeProblems(outcome, expectedOutcome(scenario)));
    const left = await processesInDir(workspace);
    if (left.length) problems.push(`processes left in the workspace: ${left.join(', ')}`);
  } catch (err) {
    problems.push(String((err as Error).message ?? err));
  } finally {
    await worker.stop();
  }
  if (point && !killed) problems.push('the worker was never killed at this point');
  return {
    operation: `evolution.${scenario}`,
    point: point?.point ?? 'undisturbed',
    expected: 'as undisturbed',
    status: outcome ? `${outcome.state} ${outcome.decisions.join(' ')}` : 'error',
    killed,
    problems,
    ms: Date.now() - started,
    outcome,
  };
}
