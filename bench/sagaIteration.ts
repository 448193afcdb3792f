/**
 * An evolution iteration's overhead against the time its own commands take
 * (goal ≤ 10 %), read from the iteration workflows' histories: the iteration
 * runs from its first event to its last; its commands are the activities that
 * run the user's programs (mutator or patch, tests, gates, smoke check,
 * metrics), each from started to completed, and inside the same-window
 * judge the time its rounds spent running the user's benchmark (it reports
 * that itself). Everything else — checkpoints, the judge's tree swaps, event
 * log, lineage, compatibility, the round trips between — is overhead.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';
import { evolutionResult, resolveEvolutionConfig, startEvolution } from '../client/evolution';
import { BASE_FILES, baseConfig, writeFiles, writeMutator } from '../test/support/evolutionFixture';

/** Activities that run a user's command: the iteration's own work. */
const COMMAND_ACTIVITIES = new Set([
  'applyPatch',
  'runMutator',
  'runTests',
  'runGate',
  'runSmokeCheck',
  'collectMetrics',
]);

/** The judge's activity: its result says how long its rounds ran the user's benchmark. */
const JUDGE_ACTIVITY = 'measureIterationWindow';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

/** `cost.measureMs` from a completed judge activity's JSON result, 0 if absent. */
function judgeMeasureMs(e: HistoryEvent): number {
  const data = e.activityTaskCompletedEventAttributes?.result?.payloads?.[0]?.data;
  if (!data) return 0;
  const result = JSON.parse(Buffer.from(data).toString('utf8')) as {
    cost?: { measureMs?: number };
  };
  return result.cost?.measureMs ?? 0;
}

const ms = (e: HistoryEvent | undefined): number => {
  const t = e?.eventTime;
  return t ? Number(t.seconds ?? 0) * 1000 + (t.nanos ?? 0) / 1e6 : 0;
};

export interface Split {
  wall: number;
  commands: number;
  /** Per activity type outside the commands: time running, and time queued before it started. */
  others: Map<string, { running: number; queued: number; count: number }>;
}

/** Wall time of a workflow run, the part spent inside command activities, and the rest by type, ms. */
function split(events: HistoryEvent[]): Split {
  const type = new Map<number, string>(); // scheduled event id → activity type
  const scheduledAt = new Map<number, number>();
  const started = new Map<number, number>(); // scheduled event id → start time
  const others = new Map<string, { running: number; queued: number; count: number }>();
  let commands = 0;
  for (const e of events) {
    const id = Number(e.eventId);
    const scheduled = e.activityTaskScheduledEventAttributes;
    if (scheduled) {
      type.set(id, scheduled.activityType?.name ?? '');
      scheduledAt.set(id, ms(e));
    }
    const start = e.activityTaskStartedEventAttributes;
    if (start) started.set(Number(start.scheduledEventId), ms(e));
    const end =
      e.activityTaskCompletedEventAttributes ??
      e.activityTaskFailedEventAttributes ??
      e.activityTaskTimedOutEventAttributes;
    if (end) {
      const sid = Number(end.scheduledEventId);
      const name = type.get(sid) ?? '';
      let running = ms(e) - (started.get(sid) ?? ms(e));
      if (name === JUDGE_ACTIVITY) {
        const measuring = Math.min(running, judgeMeasureMs(e));
        commands += measuring;
        running -= measuring;
      }
      if (COMMAND_ACTIVITIES.has(name)) commands += running;
      else {
        const o = others.get(name) ?? { running: 0, queued: 0, count: 0 };
        o.running += running;
        o.queued += (started.get(sid) ?? 0) - (scheduledAt.get(sid) ?? 0);
        o.count += 1;
        others.set(name, o);
      }
    }
  }
  return { wall: ms(events[events.length - 1]) - ms(events[0]), commands, others };
}

/**
 * Runs a cycle of `iterations` on `taskQueue` (a ratchet worker polls it) in
 * `scratch`, and sums its iteration workflows' wall and command times — all
 * but the first, which pays the worker's one-time loads (the TypeScript
 * compiler, ~0.7 s, for the first compatibility assessment) and is returned
 * on its own.
 */
export async function iterationOverhead(
  client: Client,
  taskQueue: string,
  scratch: string,
  iterations = 5,
): Promise<{ iterations: number; first: Split } & Split> {
  const workspace = path.join(scratch, 'iter-lib');
  mkdirSync(workspace);
  writeFiles(workspace, BASE_FILES);
  // Each iteration a little faster than the last, so each is a real candidate that is kept.
  const plan = Object.fromEntries(
    Array.from({ length: iterations }, (_, i) => [
      i + 1,
      { files: { 'perf.json': `{ "factor": ${(0.8 - 0.1 * i).toFixed(2)} }\n` } },
    ]),
  );
  const mutator = writeMutator(scratch, plan);
  const config = resolveEvolutionConfig(baseConfig(workspace, mutator, { iterations }));
  const handle = await startEvolution(client, taskQueue, config);
  await evolutionResult(client, handle.workflowId);
  const parent = (await handle.fetchHistory()).events ?? [];
  const children = parent
    .map((e) => e.childWorkflowExecutionStartedEventAttributes?.workflowExecution?.workflowId)
    .filter((id): id is string => Boolean(id));
  let wall = 0;
  let commands = 0;
  const others: Split['others'] = new Map();
  const splits: Split[] = [];
  for (const id of children) {
    splits.push(split((await client.workflow.getHandle(id).fetchHistory()).events ?? []));
  }
  const [first, ...steady] = splits;
  if (!first || steady.length === 0) throw new Error(`the cycle ran ${splits.length} iterations`);
  for (const s of steady) {
    wall += s.wall;
    commands += s.commands;
    for (const [name, o] of s.others) {
      const sum = others.get(name) ?? { running: 0, queued: 0, count: 0 };
      others.set(name, {
        running: sum.running + o.running,
        queued: sum.queued + o.queued,
        count: sum.count + o.count,
      });
    }
  }
  return { iterations: steady.length, first, wall, commands, others };
}
