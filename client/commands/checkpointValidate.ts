/**
 * `ratchet checkpoint validate [ID] [--verbose]`. Verbose is the guide's deep
 * validation: every check behind the verdict (manifest, digest, checksum,
 * ref, objects), what the checkpoint is (lane, step, label, workspace), and
 * the built-in state checks of the workspace it was taken from (working
 * directory, configuration, installed dependencies, whether its tree still
 * matches). The exit code stays about the checkpoint's integrity: 1 when any
 * is corrupt.
 */
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import {
  listCheckpoints,
  validateCheckpoint,
  workspaceChecksum,
} from '../../activities/checkpoints';
import { builtinStateChecks, type StateCheck } from '../../activities/pipelines/stateChecks';
import type { CheckpointValidation } from '../../domain/checkpointStore';
import type { CheckpointRecord } from '../../domain/versions';
import type { GlobalOptions } from '../context';
import { ExitCode, printJson, println } from '../output';
import { storeCall, storeFrom } from './storeCli';

/** The integrity checks validateRecord makes, and how its problems name them. */
const INTEGRITY: ReadonlyArray<[string, RegExp]> = [
  ['manifest present and readable', /manifest is (missing|not valid JSON)/],
  ['manifest digest matches the lineage', /digest mismatch/],
  ['checksum recomputes', /checksum/],
  ['ref names the manifest commit', /^ref |commit holds tree/],
  ['every object present and rehashes to its id', /object|objects/],
];

export interface VerboseValidation extends CheckpointValidation {
  checks: StateCheck[];
  record: Pick<CheckpointRecord, 'moduleId' | 'version' | 'timestamp' | 'files' | 'checksum'> & {
    lane: string | null;
    step: number | null;
    stepName: string | null;
    label: string | null;
  };
  workspace: { path: string; exists: boolean; checks: StateCheck[] };
}

async function verbose(
  globals: GlobalOptions,
  c: CheckpointValidation,
): Promise<VerboseValidation> {
  const store = storeFrom(globals);
  const record = await store.getCheckpoint(c.checkpointId);
  const checks = INTEGRITY.map(([check, pattern]) => {
    const problems = c.problems.filter((p) => pattern.test(p));
    return { check, ok: problems.length === 0, detail: problems.join('; ') || 'ok' };
  });
  const meta = record.metadata;
  const exists = existsSync(record.workspace);
  const wsChecks: StateCheck[] = [];
  if (exists) {
    wsChecks.push(...(await builtinStateChecks(record.workspace)));
    const now = await workspaceChecksum(store, {
      workspace: record.workspace,
      moduleId: record.moduleId,
    }).catch((err: Error) => `unreadable: ${err.message}`);
    wsChecks.push({
      check: 'workspace matches this checkpoint',
      ok: now === record.checksum,
      detail: now === record.checksum ? 'same tree' : 'changed since (informational)',
    });
  }
  return {
    ...c,
    checks,
    record: {
      moduleId: record.moduleId,
      version: record.version,
      timestamp: record.timestamp,
      files: record.files,
      checksum: record.checksum,
      lane: typeof meta.lane === 'string' ? meta.lane : null,
      step: typeof meta.step === 'number' ? meta.step : null,
      stepName: typeof meta.stepName === 'string' ? meta.stepName : null,
      label: typeof meta.label === 'string' ? meta.label : null,
    },
    workspace: { path: record.workspace, exists, checks: wsChecks },
  };
}

function printVerbose(v: VerboseValidation): void {
  println(`${v.ok ? 'ok     ' : 'CORRUPT'} ${v.checkpointId}`);
  const r = v.record;
  println(`        taken ${r.timestamp}, ${r.files} files, ${r.checksum}`);
  if (r.lane !== null)
    println(
      `        lane ${r.lane}, step ${r.step ?? '-'} "${r.stepName ?? ''}"${r.label ? ` (${r.label})` : ''}`,
    );
  for (const c of v.checks)
    println(`        ${c.ok ? '✓' : '✗'} ${c.check}${c.ok ? '' : `: ${c.detail}`}`);
  println(`        workspace ${v.workspace.path}${v.workspace.exists ? '' : ' (gone)'}`);
  for (const c of v.workspace.checks)
    println(`          ${c.ok ? '✓' : '✗'} ${c.check}: ${c.detail}`);
}

export function registerCheckpointValidate(
  cp: Command,
  globals: () => GlobalOptions,
  resolveId: (globals: GlobalOptions, id: string) => Promise<string>,
): void {
  cp.command('validate')
    .description(
      'prove checkpoints intact (objects present and uncorrupted, manifest unchanged); exit 1 if any is corrupt',
    )
    .argument('[id]', '<module>@v<N> or a lane-step label (default: every checkpoint)')
    .option('--module <id>', 'only this module')
    .option(
      '--verbose',
      'every check, the lane and step, and the state of the workspace it was taken from',
    )
    .option('--json', 'print { ok, checkpoints: [{ checkpointId, ok, problems, … }] }')
    .action(
      async (id: string | undefined, o: { module?: string; verbose?: boolean; json?: boolean }) => {
        const store = storeFrom(globals());
        const ids = id
          ? [await resolveId(globals(), id)]
          : (await storeCall(() => listCheckpoints(store, o.module))).map((c) => c.id);
        const checkpoints: CheckpointValidation[] = [];
        for (const cid of ids) {
          const c = await storeCall(() => validateCheckpoint(store, cid));
          checkpoints.push(o.verbose ? await storeCall(() => verbose(globals(), c)) : c);
        }
        const ok = checkpoints.every((c) => c.ok);
        if (o.json) printJson({ ok, checkpoints });
        else {
          for (const c of checkpoints) {
            if (o.verbose) {
              printVerbose(c as VerboseValidation);
              continue;
            }
            println(`${c.ok ? 'ok     ' : 'CORRUPT'} ${c.checkpointId}`);
            for (const p of c.problems) println(`        ${p}`);
          }
          if (checkpoints.length === 0) println('no checkpoints');
        }
        process.exitCode = ok ? ExitCode.ok : ExitCode.failed;
      },
    );
}
