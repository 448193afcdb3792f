/**
 * `ratchet evolve start|list|status|approve|reject|rollback|pause|resume|events|stats`.
 */
import { runHost, runHostLines } from '../hosts';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { ZodError } from 'zod';
import { workflowUiUrl, type Settings } from '../../config/settings';
import { EvolutionConfig, type EvolutionConfigInput } from '../../domain/evolution/config';
import { issueLines } from '../../domain/strictKeys';
import {
  ApproveInput,
  OperatorCall,
  RejectInput,
  RollbackRequest,
} from '../../domain/evolution/operator';
import type { CycleResult } from '../../domain/evolution/results';
import { totalStats } from '../../domain/evolution/stats';
import { ModuleId } from '../../domain/versions';
import { clientFrom, settingsFrom, type GlobalOptions } from '../context';
import {
  approveEvolution,
  evolutionEventLog,
  evolutionStatus,
  listEvolutions,
  OperatorRequestRefused,
  pauseEvolution,
  rejectEvolution,
  resolveEvolutionConfig,
  resumeEvolution,
  rollbackEvolution,
  startEvolution,
} from '../evolution';
import { CliError, ExitCode, printJson, println, progress, table } from '../output';
import { EventTypePattern } from '../../domain/evolution/eventFilter';
import { evolutionStatsOf } from '../evolutionStats';
import { formatIterations, formatStats, watchCycle } from './evolveWatch';
import { refuseContradictions } from './evolveRules';

interface StartOptions {
  module?: string;
  workspace?: string;
  patches?: string;
  mutator?: string;
  test?: string;
  gate: string[];
  metrics?: string;
  smoke?: string;
  iterations?: string;
  requireApproval?: boolean;
  rejectBreaking?: boolean;
  approvalTimeout?: string;
  config?: string;
  events?: string;
  budgetWallTime?: string;
  budgetEvaluations?: string;
  budgetCommandTime?: string;
  sandbox?: string;
  network?: boolean;
  allowEnv: string[];
  expose: string[];
  wait?: boolean;
  json?: boolean;
}

const collect = (value: string, previous: string[]) => [...previous, value];

function zodMessage(err: ZodError): string {
  return err.issues.map((i) => `  ${i.path.join('.') || '(input)'}: ${i.message}`).join('\n');
}

/** Flags over an optional config file; everything validated together. */
function buildConfig(options: StartOptions): EvolutionConfigInput {
  let file: Record<string, unknown> = {};
  if (options.config) {
    try {
      file = JSON.parse(readFileSync(options.config, 'utf8')) as Record<string, unknown>;
    } catch (err) {
      throw new CliError(`cannot read --config ${options.config}: ${(err as Error).message}`);
    }
  }
  if (options.patches && options.mutator)
    throw new CliError('give --patches DIR or --mutator CMD, not both');
  const evaluation = { ...((file.evaluation as Record<string, unknown>) ?? {}) };
  if (options.test) evaluation.test = options.test;
  if (options.gate.length) evaluation.gates = options.gate;
  if (options.metrics) evaluation.metrics = options.metrics;
  const candidate = options.patches
    ? { kind: 'patches', dir: options.patches }
    : options.mutator
      ? { kind: 'mutator', command: options.mutator }
      : file.candidate;
  const number = (flag: string, v?: string) => {
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isInteger(n)) throw new CliError(`${flag} must be a whole number, got "${v}"`);
    return n;
  };
  const workspace = options.workspace ?? (file.workspace as string | undefined);
  const budgets: Record<string, unknown> = { ...((file.budgets as object) ?? {}) };
  const budgetFlags = [
    ['wallTimeSec', '--budget-wall-time', options.budgetWallTime],
    ['evaluations', '--budget-evaluations', options.budgetEvaluations],
    ['commandTimeSec', '--budget-command-time', options.budgetCommandTime],
  ] as const;
  for (const [key, flag, value] of budgetFlags) {
    if (value !== undefined) budgets[key] = number(flag, value);
  }
  return {
    ...file,
    moduleId:
      options.module ??
      (file.moduleId as string | undefined) ??
      workspace?.replace(/\/+$/, '').split('/').pop(),
    workspace,
    candidate,
    evaluation,
    ...(options.iterations !== undefined
      ? { iterations: number('--iterations', options.iterations) }
      : {}),
    ...(options.requireApproval ? { requireApproval: true } : {}),
    ...(options.rejectBreaking ? { rejectBreaking: true } : {}),
    ...(options.approvalTimeout
      ? { approvalTimeoutSec: number('--approval-timeout', options.approvalTimeout) }
      : {}),
    ...(options.smoke ? { smokeCommand: options.smoke } : {}),
    ...(options.events
      ? { sinks: { ...((file.sinks as object) ?? {}), jsonl: options.events } }
      : {}),
    ...(Object.keys(budgets).length ? { budgets } : {}),
    ...(options.sandbox ? { sandbox: options.sandbox } : {}),
    ...(options.network ? { network: true } : {}),
    ...(options.allowEnv.length ? { env: options.allowEnv } : {}),
    ...(options.expose.length ? { expose: options.expose.map((p) => path.resolve(p)) } : {}),
  } as EvolutionConfigInput;
}

export function resultJson(result: CycleResult) {
  return {
    workflowId: result.workflowId,
    moduleId: result.moduleId,
    state: result.state,
    finalVersion: result.finalVersion,
    stopReason: result.stopReason,
    iterations: result.iterations,
    lineage: result.lineage,
    events: result.events,
  };
}

async function start(settings: Settings, options: StartOptions): Promise<number> {
  let config;
  try {
    config = resolveEvolutionConfig(buildConfig(options));
  } catch (err) {
    if (err instanceof ZodError) {
      // Each problem names its field; an unknown key also names the nearest known one.
      const lines = issueLines(EvolutionConfig, err).map((l) => `  ${l}`);
      throw new CliError(`invalid evolution settings:\n${lines.join('\n')}`);
    }
    throw err;
  }
  await refuseContradictions(settings.dataDir, config);
  const client = await clientFrom(settings);
  const handle = await startEvolution(client, settings.taskQueue, config);
  const url = workflowUiUrl(settings, handle.workflowId);
  if (!options.wait) {
    if (options.json) printJson({ workflowId: handle.workflowId, moduleId: config.moduleId, url });
    else println(`started ${handle.workflowId}\n  ${url}`);
    return ExitCode.ok;
  }
  if (!options.json) progress(`started ${handle.workflowId}\n  ${url}`);
  const result = await watchCycle(client, handle.workflowId, { quiet: Boolean(options.json) });
  if (options.json) printJson(resultJson(result));
  else println(formatIterations(result));
  return result.state === 'completed' ? ExitCode.ok : ExitCode.failed;
}

/** An operator update's acknowledgement: its message, or with --json the whole of it. */
async function operator(
  globals: GlobalOptions,
  call: { workflowId: string; json?: boolean },
  fn: (settings: Settings) => Promise<Awaited<ReturnType<typeof approveEvolution>>>,
): Promise<number> {
  try {
    const ack = await fn(settingsFrom(globals));
    if (call.json) printJson({ workflowId: call.workflowId, ...ack });
    else println(ack.message);
    return ExitCode.ok;
  } catch (err) {
    if (err instanceof ZodError) throw new CliError(zodMessage(err));
    if (err instanceof OperatorRequestRefused) throw new CliError(`refused: ${err.message}`);
    throw err;
  }
}

export function registerEvolve(program: Command, globals: () => GlobalOptions): void {
  const evolve = program
    .command('evolve')
    .description('evolution cycles: checkpoint → candidate → evaluate → judge → keep or roll back');

  evolve
    .command('start')
    .description('start an evolution cycle on a workspace')
    .option('--module <id>', 'module id (default: the workspace folder name)')
    .option('--workspace <dir>', 'the directory that evolves')
    .option('--patches <dir>', 'candidates: unified diffs applied in file-name order')
    .option('--mutator <cmd>', 'candidates: a command that changes the workspace (shell)')
    .option('--test <cmd>', 'test command (shell); must pass')
    .option('--gate <cmd>', 'gate command (lint, typecheck…); repeatable', collect, [])
    .option('--metrics <cmd>', 'prints one JSON object: metric name → number or array of samples')
    .option('--smoke <cmd>', 'run after every rollback to verify it')
    .option('--iterations <n>', 'max iterations (default 10)')
    .option('--require-approval', 'BREAKING candidates wait for a human')
    .option('--reject-breaking', 'BREAKING candidates are rejected and rolled back')
    .option('--approval-timeout <seconds>', 'how long a human has (default 3600)')
    .option('--events <file>', 'append every event to this JSONL file')
    .option('--budget-wall-time <seconds>', 'pause the cycle after this much wall time')
    .option('--budget-evaluations <n>', 'pause the cycle after this many evaluations')
    .option('--budget-command-time <seconds>', 'pause after this much test/gate/metrics time')
    .option('--sandbox <mode>', 'required | preferred (default) | off: how commands are isolated')
    .option('--network', "let the candidate's commands use the network")
    .option('--allow-env <name>', 'pass this variable to the commands; repeatable', collect, [])
    .option(
      '--expose <path>',
      'show this host path read-only to the commands; repeatable',
      collect,
      [],
    )
    .option('--config <file>', 'JSON file with any evolution setting (flags win)')
    .option('--wait', 'wait for the outcome, printing progress')
    .option('--json', 'print JSON (with --wait: the whole outcome)')
    .action(async (options: StartOptions) => {
      process.exitCode = await start(settingsFrom(globals()), options);
    });

  evolve
    .command('list')
    .description('evolution cycles, newest first')
    .option('--json', 'print [{ workflowId, moduleId, state }]')
    .action(async (options: { json?: boolean }) => {
      const client = await clientFrom(settingsFrom(globals()));
      const cycles = await listEvolutions(client);
      if (options.json) printJson(cycles);
      else
        println(
          table(
            ['WORKFLOW', 'MODULE', 'STATE', 'STARTED'],
            cycles.map((c) => [c.workflowId, c.moduleId, c.state, c.startTime]),
          ),
        );
    });

  evolve
    .command('status')
    .description('state, iteration, step, active version and pending approval of a cycle')
    .argument('<workflowId>')
    .option('--json', 'print JSON')
    .action(async (workflowId: string, options: { json?: boolean }) => {
      const settings = settingsFrom(globals());
      const client = await clientFrom(settings);
      const status = await evolutionStatus(client, workflowId);
      // Which host owns the cycle, and whether it waits for it (issue 14).
      const host = await runHost(client, workflowId);
      if (options.json) printJson({ ...status, ...host });
      else {
        println(`${status.workflowId}  ${status.moduleId}  ${status.state}`);
        println(
          `  iteration ${status.iteration}, step ${status.step}, active ${status.activeVersion ?? '-'}`,
        );
        for (const line of runHostLines(host)) println(line);
        if (status.pendingApproval) {
          const p = status.pendingApproval;
          println(
            `  waiting for a human on ${p.version} (${p.compatibility ?? p.kind}) until ${p.deadline}`,
          );
          for (const line of p.rationale) println(`    ${line}`);
          println(
            `  ratchet evolve approve ${workflowId} --by NAME   |   ratchet evolve reject ${workflowId} --by NAME --reason WHY`,
          );
        }
        println(`  ${workflowUiUrl(settings, workflowId)}`);
      }
    });

  evolve
    .command('approve')
    .description('approve the candidate waiting for a human')
    .argument('<workflowId>')
    .option('--by <name>', 'who approves', process.env.USER)
    .option('--note <text>', 'why')
    .option('--json', 'print the acknowledgement as JSON')
    .action(async (workflowId: string, options: { by?: string; note?: string; json?: boolean }) => {
      process.exitCode = await operator(
        globals(),
        { workflowId, json: options.json },
        async (settings) => {
          const input = ApproveInput.parse({ by: options.by, note: options.note });
          return await approveEvolution(await clientFrom(settings), workflowId, input);
        },
      );
    });

  evolve
    .command('reject')
    .description('reject the candidate waiting for a human (it is rolled back)')
    .argument('<workflowId>')
    .option('--by <name>', 'who rejects', process.env.USER)
    .requiredOption('--reason <text>', 'why')
    .option('--json', 'print the acknowledgement as JSON')
    .action(
      async (workflowId: string, options: { by?: string; reason: string; json?: boolean }) => {
        process.exitCode = await operator(
          globals(),
          { workflowId, json: options.json },
          async (settings) => {
            const input = RejectInput.parse({ by: options.by, reason: options.reason });
            return await rejectEvolution(await clientFrom(settings), workflowId, input);
          },
        );
      },
    );

  evolve
    .command('rollback')
    .description(
      'roll back now (interrupts a running iteration), to a version or the nearest safe one',
    )
    .argument('<workflowId>')
    .option('--to <version>', 'target version, e.g. v3')
    .requiredOption('--reason <text>', 'why')
    .option('--by <name>', 'who asks', process.env.USER)
    .option('--json', 'print the acknowledgement as JSON')
    .action(
      async (
        workflowId: string,
        options: { to?: string; reason: string; by?: string; json?: boolean },
      ) => {
        process.exitCode = await operator(
          globals(),
          { workflowId, json: options.json },
          async (settings) => {
            const input = RollbackRequest.parse({
              toVersion: options.to,
              reason: options.reason,
              by: options.by,
            });
            return await rollbackEvolution(await clientFrom(settings), workflowId, input);
          },
        );
      },
    );

  evolve
    .command('pause')
    .description('pause before the next iteration')
    .argument('<workflowId>')
    .option('--by <name>', 'who pauses', process.env.USER)
    .option('--json', 'print the acknowledgement as JSON')
    .action(async (workflowId: string, options: { by?: string; json?: boolean }) => {
      process.exitCode = await operator(
        globals(),
        { workflowId, json: options.json },
        async (settings) => {
          const input = OperatorCall.parse({ by: options.by });
          return await pauseEvolution(await clientFrom(settings), workflowId, input);
        },
      );
    });

  evolve
    .command('resume')
    .description(
      'resume a paused cycle, or one that needs attention after you repaired the workspace',
    )
    .argument('<workflowId>')
    .option('--by <name>', 'who resumes', process.env.USER)
    .option('--json', 'print the acknowledgement as JSON')
    .action(async (workflowId: string, options: { by?: string; json?: boolean }) => {
      process.exitCode = await operator(
        globals(),
        { workflowId, json: options.json },
        async (settings) => {
          const input = OperatorCall.parse({ by: options.by });
          return await resumeEvolution(await clientFrom(settings), workflowId, input);
        },
      );
    });

  evolve
    .command('events')
    .description(
      "a cycle's events, oldest first: all of them, from the durable log under the data dir",
    )
    .argument('<workflowId>')
    .option('--since <seq>', 'only events after this sequence number', '0')
    .option('--limit <n>', 'at most this many (page on with --since)')
    .option(
      '--type <type>',
      'only this event type, or a glob of them (ROLLBACK_*); repeatable',
      collect,
      [],
    )
    .option('--json', 'print JSON')
    .action(
      async (
        workflowId: string,
        options: { since: string; limit?: string; type: string[]; json?: boolean },
      ) => {
        const since = Number(options.since);
        if (!Number.isInteger(since) || since < 0)
          throw new CliError('--since takes a sequence number');
        const limit = options.limit === undefined ? undefined : Number(options.limit);
        if (limit !== undefined && (!Number.isInteger(limit) || limit < 1))
          throw new CliError('--limit takes a positive whole number');
        const types = options.type.map((t) => {
          const parsed = EventTypePattern.safeParse(t);
          if (!parsed.success)
            throw new CliError(`--type ${t}: ${parsed.error.issues[0]!.message}`);
          return parsed.data;
        });
        const settings = settingsFrom(globals());
        const events = await evolutionEventLog(await clientFrom(settings), workflowId, {
          dataDir: settings.dataDir,
          sinceSeq: since,
          limit,
          types,
        });
        if (options.json) printJson(events);
        else
          for (const e of events) {
            println(
              `${String(e.seq).padStart(4)} ${e.at} ${e.iteration === null ? '   ' : `#${String(e.iteration).padEnd(2)}`} ${e.type} ${JSON.stringify(e.data)}`,
            );
          }
      },
    );

  evolve
    .command('stats')
    .description(
      'safety statistics from the durable event logs: checkpoints, rollbacks and their success rate, cascades, recoveries, time to verdict',
    )
    .argument('[module]', 'one module (default: every module with event logs)')
    .option('--json', 'print JSON (one object for a module, { modules, total } for all)')
    .action(async (moduleId: string | undefined, options: { json?: boolean }) => {
      if (moduleId !== undefined && !ModuleId.safeParse(moduleId).success)
        throw new CliError(`"${moduleId}" is not a valid module id`);
      const settings = settingsFrom(globals());
      const modules = await evolutionStatsOf(settings.dataDir, moduleId);
      if (options.json) {
        if (moduleId !== undefined) printJson(modules[0]);
        else printJson({ modules, total: totalStats(modules) });
      } else println(formatStats(modules));
    });
}
