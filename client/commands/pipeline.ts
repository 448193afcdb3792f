/** `ratchet pipeline run|status|resume|retry|skip|abort` and `ratchet recovery plan|validate`. */
import { runHost, runHostLines } from '../hosts';
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { PipelineFileError, loadPipelineFile } from '../../activities/pipelines/load';
import { createPipelineActivities } from '../../activities/pipelines';
import { workflowUiUrl } from '../../config/settings';
import {
  FailureType,
  Lane,
  laneFromName,
  LANE_BUDGET_SEC,
  recoveryPlan,
  resolveStart,
  stepsForLane,
  type Pipeline,
} from '../../domain/pipeline';
import type { OperatorAction, PipelineStatus } from '../../workflows/pipeline';
import { clientFrom, settingsFrom, type GlobalOptions } from '../context';
import { storeCall, storeFrom } from './storeCli';
import { pipelineStatus, sendPipelineAction, startPipeline } from '../pipelines';
import {
  CliError,
  ExitCode,
  printJson,
  println,
  progress,
  startProgress,
  table,
  withProgress,
} from '../output';

/** `fast` is the guide's other name for the docs lane. */
function lane(value: string): Lane {
  const parsed = laneFromName(value);
  if (!parsed) throw new CliError(`--lane must be one of ${Lane.options.join(', ')} (or fast)`);
  return parsed;
}

/** Refuses (exit 2, nothing started) a start the workflow would refuse. */
async function checkStart(
  globals: GlobalOptions,
  pipeline: Pipeline,
  inLane: Lane,
  from: { fromStep?: string; fromCheckpoint?: string },
): Promise<void> {
  if (from.fromStep === undefined && from.fromCheckpoint === undefined) return;
  const metadata = from.fromCheckpoint
    ? (await storeCall(() => storeFrom(globals).getCheckpoint(from.fromCheckpoint!))).metadata
    : undefined;
  const start = resolveStart(pipeline.name, stepsForLane(pipeline, inLane), {
    fromStep: from.fromStep,
    checkpointMetadata: metadata,
  });
  if ('error' in start) throw new CliError(start.error);
}

/** One line for the progress spinner: the step running, or what the run waits for. */
function describeNow(s: PipelineStatus): string {
  const done = s.steps.filter((x) => x.status === 'completed').length;
  const last = s.failures[s.failures.length - 1];
  const step = s.currentStep ? `step ${s.currentStep} (${done}/${s.steps.length} done)` : s.status;
  if (s.status === 'waiting_for_operator')
    return `${step}: waiting for an operator (ratchet pipeline retry|skip|rollback|abort ${s.workflowId})`;
  return last && last.step === s.currentStep ? `${step}, recovering: ${last.strategy}` : step;
}

function printStatus(s: PipelineStatus): void {
  println(
    `${s.workflowId}: ${s.pipeline} (${s.lane}) ${s.status}${s.currentStep ? ` at ${s.currentStep}` : ''}`,
  );
  println(
    table(
      ['STEP', 'STATUS', 'ATTEMPTS', 'MS', 'CHECKPOINT'],
      s.steps.map((x) => [x.name, x.status, x.attempts, x.durationMs, x.checkpointId ?? '-']),
    ),
  );
  for (const f of s.failures) println(`  ${f.step}: ${f.failureType} → ${f.strategy}`);
  for (const a of s.actions ?? [])
    println(`  ${a.step}: ${a.strategy} ${a.ok ? 'ok' : 'did not help'}: ${a.detail}`);
  if (s.startedFrom)
    println(
      `  started at ${s.startedFrom.step}${s.startedFrom.checkpointId ? ` from ${s.startedFrom.checkpointId}` : ''}`,
    );
  if (s.budget)
    println(
      `  budget (${s.budget.lane}): ${s.budget.usedSec}s of ${s.budget.limitSec}s${s.budget.exceeded ? ` — exceeded; continue with --from-checkpoint ${s.lastCheckpointId}` : ''}`,
    );
  for (const r of s.resumes) {
    println(
      `  resumed ${r.step} from ${r.fromCheckpoint}: ${r.stepsNotRerun} step(s) not rerun, ${(r.timeSavedMs / 1000).toFixed(1)} s saved`,
    );
  }
}

export function registerPipeline(program: Command, globals: () => GlobalOptions): void {
  const pipeline = program
    .command('pipeline')
    .description('step pipelines with a checkpoint per step and recovery plans that run');
  pipeline
    .command('run')
    .description('run a pipeline file (YAML or JSON) on a workspace and wait for it')
    .argument('<file>')
    .requiredOption('--workspace <dir>', 'where the steps run')
    .option(
      '--lane <lane>',
      `docs (or fast) | standard | heavy; whole-run budgets ${Object.entries(LANE_BUDGET_SEC)
        .map(([l, s]) => `${l} ${s / 60} min`)
        .join(', ')}`,
      'standard',
    )
    .option('--module <id>', 'checkpoint module id (default: the pipeline name)')
    .option('--from-step <name>', 'start at this step; earlier steps are not run')
    .option(
      '--from-checkpoint <id>',
      'restore this checkpoint, then start after the step it was taken at (or at --from-step)',
    )
    .option(
      '--json',
      'print { status, steps, failures, resumes, actions, escalations, budget, startedFrom }',
    )
    .action(
      async (
        file: string,
        options: {
          workspace: string;
          lane: string;
          module?: string;
          fromStep?: string;
          fromCheckpoint?: string;
          json?: boolean;
        },
      ) => {
        let parsed;
        try {
          parsed = loadPipelineFile(file);
        } catch (err) {
          if (err instanceof PipelineFileError)
            throw new CliError(`invalid pipeline ${err.message}`);
          throw err;
        }
        if (!existsSync(options.workspace))
          throw new CliError(`no workspace at ${options.workspace}`);
        const inLane = lane(options.lane);
        const from = { fromStep: options.fromStep, fromCheckpoint: options.fromCheckpoint };
        await checkStart(globals(), parsed, inLane, from);
        const settings = settingsFrom(globals());
        const client = await clientFrom(settings);
        const handle = await startPipeline(client, settings.taskQueue, {
          pipeline: parsed,
          workspace: path.resolve(options.workspace),
          lane: inLane,
          moduleId: options.module,
          ...(from.fromStep !== undefined ? { fromStep: from.fromStep } : {}),
          ...(from.fromCheckpoint !== undefined ? { fromCheckpoint: from.fromCheckpoint } : {}),
        });
        if (!options.json)
          progress(`started ${handle.workflowId}: ${workflowUiUrl(settings, handle.workflowId)}`);
        const result = await withProgress(
          startProgress(`pipeline ${parsed.name}`, { json: options.json }),
          () => handle.result(),
          async () => pipelineStatus(client, handle.workflowId).then(describeNow),
        );
        if (options.json) printJson(result);
        else printStatus(result);
        process.exitCode = result.status === 'completed' ? ExitCode.ok : ExitCode.failed;
      },
    );
  pipeline
    .command('status')
    .description("a pipeline run's steps, failures and resumes")
    .argument('<workflowId>')
    .option('--json', 'print JSON')
    .action(async (id: string, options: { json?: boolean }) => {
      const client = await clientFrom(settingsFrom(globals()));
      const s = await pipelineStatus(client, id);
      const host = await runHost(client, id); // the owner host (issue 14)
      if (options.json) printJson({ ...s, ...host });
      else {
        printStatus(s);
        for (const line of runHostLines(host)) println(line);
      }
    });
  const actions: Array<[string, OperatorAction, string]> = [
    ['retry', 'retry', 'run the parked step again (after you fixed the workspace)'],
    ['resume', 'retry', 'same as retry: continue from the parked step'],
    ['skip', 'skip', 'skip the parked step and go on'],
    ['rollback', 'rollback', "restore the pipeline's starting checkpoint and stop"],
    ['abort', 'abort', 'stop the pipeline here'],
  ];
  for (const [verb, action, description] of actions) {
    pipeline
      .command(verb)
      .description(description)
      .argument('<workflowId>')
      .option('--json', 'print the acknowledgement as one JSON object')
      .action(async (id: string, options: { json?: boolean }) => {
        try {
          await sendPipelineAction(await clientFrom(settingsFrom(globals())), id, action);
        } catch (err) {
          if ((err as Error).message.startsWith('refused:'))
            throw new CliError((err as Error).message);
          throw err;
        }
        if (options.json) printJson({ workflowId: id, action, sent: true });
        else println(`${action} sent to ${id}`);
      });
  }

  const recovery = program
    .command('recovery')
    .description('failure classification, recovery plans and state validation');
  recovery
    .command('plan')
    .description('the recovery plan for a failure type in a lane')
    .requiredOption('--failure-type <type>', FailureType.options.join(' | '))
    .option('--lane <lane>', 'docs | standard | heavy', 'standard')
    .option('--optional', 'for an optional step')
    .option('--json', 'print JSON')
    .action(
      (options: { failureType: string; lane: string; optional?: boolean; json?: boolean }) => {
        const type = FailureType.safeParse(options.failureType);
        if (!type.success)
          throw new CliError(`--failure-type must be one of ${FailureType.options.join(', ')}`);
        const plan = recoveryPlan(type.data, lane(options.lane), { optional: options.optional });
        if (options.json) printJson(plan);
        else {
          println(`${plan.failureType} in the ${plan.lane} lane:`);
          plan.strategies.forEach((s, i) => println(`  ${i + 1}. ${s}`));
          println(
            `  retries: up to ${plan.retry.maximumAttempts} attempts, ${plan.retry.initialIntervalSec}s × ${plan.retry.backoffCoefficient}^n`,
          );
        }
      },
    );
  recovery
    .command('validate')
    .description(
      'check a workspace before a resume: critical files, git, working directory, configuration, installed dependencies, dependency checks',
    )
    .requiredOption('--workspace <dir>', 'the workspace')
    .option('--pipeline <file>', 'take critical files and dependency checks from a pipeline file')
    .option('--critical <file...>', 'files that must exist')
    .option('--require-clean', 'fail on a dirty working directory (default: list its changes)')
    .option('--json', 'print JSON')
    .action(
      async (options: {
        workspace: string;
        pipeline?: string;
        critical?: string[];
        requireClean?: boolean;
        json?: boolean;
      }) => {
        if (!existsSync(options.workspace))
          throw new CliError(`no workspace at ${options.workspace}`);
        const p = options.pipeline ? loadPipelineFile(options.pipeline) : undefined;
        const result = await createPipelineActivities().validatePipelineState({
          workspace: path.resolve(options.workspace),
          criticalFiles: [...(p?.criticalFiles ?? []), ...(options.critical ?? [])],
          dependencyChecks: p?.dependencyChecks ?? [],
          requireCleanWorkdir: options.requireClean ?? p?.requireCleanWorkdir ?? false,
        });
        if (options.json) printJson(result);
        else
          println(
            table(
              ['CHECK', 'STATUS', 'DETAIL'],
              result.checks.map((c) => [c.check, c.ok ? 'ok' : 'FAIL', c.detail]),
            ),
          );
        process.exitCode = result.ok ? ExitCode.ok : ExitCode.failed;
      },
    );
}
