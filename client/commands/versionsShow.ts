/**
 * `ratchet versions show MODULE vN [--json]`: one version as the store knows
 * it (status, tags, parent, checkpoint) with what it was judged on — the
 * tests, gates and metrics its evaluation recorded in the module's metric
 * history, and its iteration's verdict events from the cycle's durable log.
 */
import path from 'node:path';
import type { Command } from 'commander';
import { readEventLog } from '../../activities/evolution/eventLog';
import {
  readMetricHistory,
  type MetricHistoryEntry,
} from '../../activities/evolution/metricHistory';
import { listCheckpoints } from '../../activities/checkpoints';
import { getLineage } from '../../activities/checkpoints/lineage';
import type { EvolutionEvent } from '../../domain/evolution/events';
import { ModuleId } from '../../domain/versions';
import { settingsFrom, type GlobalOptions } from '../context';
import { CliError, ExitCode, printJson, println } from '../output';
import { storeCall, storeFrom } from './storeCli';

const VERDICT_EVENTS = new Set([
  'REGRESSION_DETECTED',
  'COMPATIBILITY_ASSESSED',
  'VERSION_ACCEPTED',
  'CANDIDATE_REJECTED',
  'APPROVAL_REQUESTED',
  'APPROVAL_GRANTED',
  'APPROVAL_REJECTED',
  'APPROVAL_TIMED_OUT',
  'ROLLBACK_INITIATED',
  'ITERATION_COMPLETED',
]);

/** The events of the iteration that judged `entry`, from its cycle's durable log. */
async function verdictEvents(dataDir: string, entry: MetricHistoryEntry) {
  const file = path.join(dataDir, 'evolution', entry.moduleId, `${entry.cycleId}.events.jsonl`);
  const events = await readEventLog(file, entry.seq);
  const mine: EvolutionEvent[] = [];
  for (const e of events) {
    if (e.iteration !== entry.iteration) continue;
    if (e.type === 'ITERATION_STARTED') break; // the same index again: another cycle run
    if (VERDICT_EVENTS.has(e.type)) mine.push(e);
    if (e.type === 'ITERATION_COMPLETED') break;
  }
  return mine;
}

export function registerVersionsShow(versions: Command, globals: () => GlobalOptions): void {
  versions
    .command('show')
    .description("a version's status, tags, parent, and the metrics and tests it was judged on")
    .argument('<module>')
    .argument('<version>', 'e.g. v3')
    .option('--json', 'print { version, checkpoint, evaluations, events }')
    .action(async (moduleId: string, version: string, o: { json?: boolean }) => {
      if (!ModuleId.safeParse(moduleId).success)
        throw new CliError(`"${moduleId}" is not a valid module id`);
      if (!/^v[1-9]\d*$/.test(version))
        throw new CliError(`"${version}" is not a version (v1, v2, …)`);
      const store = storeFrom(globals());
      const dataDir = settingsFrom(globals()).dataDir;
      const lineage = await storeCall(() => getLineage(store, moduleId));
      const record = lineage.find((v) => v.version === version);
      if (!record) throw new CliError(`module ${moduleId} has no version ${version}`);
      const checkpoint = (await storeCall(() => listCheckpoints(store, moduleId))).find(
        (c) => c.version === version,
      );
      const evaluations = (await readMetricHistory(dataDir, moduleId)).filter(
        (e) => e.version === version,
      );
      const last = evaluations.at(-1);
      const events = last ? await verdictEvents(dataDir, last) : [];
      if (o.json) {
        printJson({
          version: record,
          checkpoint: checkpoint
            ? {
                files: checkpoint.files,
                metadata: checkpoint.metadata,
                workspace: checkpoint.workspace,
              }
            : null,
          evaluations,
          events,
        });
      } else {
        println(`${moduleId} ${version}  ${record.status}  parent ${record.parentVersion ?? '-'}`);
        println(`  tags ${record.tags.join(',') || '-'}  created ${record.timestamp}`);
        println(`  checksum ${record.checksum}${record.pruned ? '  (pruned)' : ''}`);
        if (!last) println('  no evaluation recorded for this version');
        for (const e of evaluations) {
          println(
            `  evaluated in ${e.cycleId} #${e.iteration ?? '-'}: tests ${e.testsPassed === null ? '-' : e.testsPassed ? 'passed' : 'failed'}` +
              `${e.failedGates.length ? `, gates failed: ${e.failedGates.join('; ')}` : ''}${e.failure ? `, failure ${e.failure}` : ''}`,
          );
          for (const name of e.metricNames) {
            const value = e.metrics[name];
            println(
              `    ${name} = ${value === undefined ? '(value not recorded)' : JSON.stringify(value)}`,
            );
          }
        }
        for (const e of events) println(`  ${e.type} ${JSON.stringify(e.data)}`);
      }
      process.exitCode = ExitCode.ok;
    });
}
