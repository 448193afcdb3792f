/**
 * Where a run starts: `--from-step NAME`, or after the step a checkpoint was
 * taken at (`--from-checkpoint ID`: pipeline checkpoints record `pipeline`
 * and `stepName` in their metadata; `start` means before the first step).
 */
import type { LaneStep } from './schema';

export type StartPoint = { index: number } | { error: string };

export function resolveStart(
  pipelineName: string,
  steps: readonly Pick<LaneStep, 'name'>[],
  from: { fromStep?: string; checkpointMetadata?: Record<string, unknown> },
): StartPoint {
  const names = steps.map((s) => s.name);
  if (from.fromStep !== undefined) {
    const index = names.indexOf(from.fromStep);
    return index >= 0
      ? { index }
      : { error: `no step "${from.fromStep}" in this lane (steps: ${names.join(', ')})` };
  }
  const meta = from.checkpointMetadata;
  if (!meta) return { index: 0 };
  const stepName = typeof meta.stepName === 'string' ? meta.stepName : undefined;
  if (meta.pipeline !== pipelineName || stepName === undefined) {
    return {
      error: `the checkpoint was not taken by pipeline "${pipelineName}"; say where to start with --from-step`,
    };
  }
  // A run's starting checkpoint records the index it started at (0, or where --from-step said).
  if (stepName === 'start') {
    const index = typeof meta.step === 'number' ? meta.step : 0;
    return index >= 0 && index < names.length ? { index } : { index: 0 };
  }
  const after = names.indexOf(stepName);
  if (after < 0)
    return { error: `the checkpoint's step "${stepName}" is not in this lane; use --from-step` };
  if (after + 1 >= names.length)
    return { error: `the checkpoint is after the last step "${stepName}": nothing left to run` };
  return { index: after + 1 };
}
