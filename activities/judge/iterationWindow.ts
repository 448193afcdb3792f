/**
 * The same-window judge inside an evolution iteration: baseline and candidate
 * are measured in the workspace itself, in ABBA rounds, with the tree swapped
 * between sides through the checkpoint store. Both sides therefore run in the
 * same path with the same untracked files (node_modules, build outputs) and
 * under the same sandbox as the evaluation; a swap is `git read-tree -m -u`,
 * which rewrites only the files the candidate changed.
 *
 * The workspace always ends on the candidate's tree (verified by checksum),
 * also when a metrics run fails; a failed run is returned as a result naming
 * its side, never thrown, so the iteration can tell the candidate's failure
 * from the baseline's.
 */
import { ApplicationFailure } from '@temporalio/common';
import { Context } from '@temporalio/activity';
import type { MetricPolicyInput } from '../../domain/judge/policies';
import type { WindowReport, WindowRound, WindowSettingsInput } from '../../domain/judge/window';
import { DEFAULT_SANDBOX_SETTINGS, type SandboxSettings } from '../../domain/sandbox';
import { CheckpointStore, restoreCheckpoint } from '../checkpoints';
import { killProcessesInDir } from '../infra/commands';
import { workerSecrets } from '../infra/sandbox';
import { measureWindow, type MeasureDeps } from './measure';
import { METRICS_COMMAND_FAILED } from './runMetrics';

export interface IterationWindowInput extends WindowSettingsInput {
  workspace: string;
  baselineCheckpointId: string;
  candidateCheckpointId: string;
  /** The candidate's tree checksum: the workspace must hash to it afterwards. */
  candidateChecksum: string;
  metricsCommand: string;
  /** Rounds before the first judgement (then two more at a time up to maxRounds). */
  rounds: number;
  timeoutSec: number;
  policies?: Readonly<Record<string, MetricPolicyInput>>;
  sandbox?: SandboxSettings;
}

export interface IterationWindowResult {
  report: WindowReport | null;
  /** The raw rounds (a calibration reads them). */
  rounds: WindowRound[];
  /** A metrics run failed: which side, and why. */
  failure: { side: 'baseline' | 'candidate'; message: string } | null;
  /** The cost of measuring in one path: tree swaps and their time, next to the runs' time. */
  cost: { swaps: number; swapMs: number; measureMs: number };
}

function heartbeat(details: unknown): void {
  try {
    Context.current().heartbeat(details);
  } catch {
    // outside an activity (tests calling it directly)
  }
}

export async function measureIterationWindow(
  dataDir: string,
  input: IterationWindowInput,
  deps: Pick<MeasureDeps, 'run'> = {},
): Promise<IterationWindowResult> {
  const store = new CheckpointStore(dataDir);
  const cost = { swaps: 0, swapMs: 0, measureMs: 0 };
  const started = Date.now();
  // A lost earlier attempt's commands must not run beside this one.
  await killProcessesInDir(input.workspace);
  let current: 'baseline' | 'candidate' | null = null;
  const sameTree = input.baselineCheckpointId === input.candidateCheckpointId;
  let side: 'baseline' | 'candidate' = 'baseline';
  const swapTo = async (to: 'baseline' | 'candidate') => {
    const t0 = Date.now();
    const restored = await restoreCheckpoint(
      store,
      {
        checkpointId: to === 'baseline' ? input.baselineCheckpointId : input.candidateCheckpointId,
        workspace: input.workspace,
      },
      (step) => heartbeat({ swap: to, step }),
    );
    cost.swaps++;
    cost.swapMs += Date.now() - t0;
    current = to;
    return restored;
  };
  let failure: IterationWindowResult['failure'] = null;
  let result: { report: WindowReport; rounds: WindowRound[] } | null = null;
  const rounds: WindowRound[] = [];
  try {
    result = await measureWindow(
      {
        ...input,
        baselineDir: input.workspace,
        candidateDir: input.workspace,
        exclusiveCwd: true,
        sandbox: {
          settings: input.sandbox ?? DEFAULT_SANDBOX_SETTINGS,
          workspace: input.workspace,
          hide: workerSecrets(dataDir),
        },
      },
      {
        run: deps.run,
        enter: async (to) => {
          side = to;
          // An A/A window (calibration) has one tree: nothing to swap.
          if (current !== to && !(sameTree && current !== null)) await swapTo(to);
        },
        onRound: (index, round) => {
          rounds.push(round);
          heartbeat({ round: index + 1 });
        },
      },
    );
  } catch (err) {
    if (!(err instanceof ApplicationFailure && err.type === METRICS_COMMAND_FAILED)) throw err;
    failure = { side, message: err.message };
  } finally {
    cost.measureMs = Date.now() - started - cost.swapMs;
    const back = await swapTo('candidate');
    if (back.checksum !== input.candidateChecksum)
      // eslint-disable-next-line no-unsafe-finally -- the tree judged must be the candidate's
      throw ApplicationFailure.nonRetryable(
        `after the judge's window ${input.workspace} hashes to ${back.checksum}, not the candidate's ${input.candidateChecksum}`,
        'JudgeWindowTreeMismatch',
      );
  }
  return { report: result?.report ?? null, rounds: result?.rounds ?? rounds, failure, cost };
}
