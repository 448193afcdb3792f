/**
 * `judge.requireCalibration`: an A/A window on the active version when the
 * cycle starts (the same tree on both sides, in the workspace), read by
 * domain/judge/calibrate.ts. It reports this machine's false-rollback rate at
 * the configured α and a suggested minimum effect; the cycle's judge uses the
 * largest suggestedMinEffect over the metrics unless `minEffect` is set.
 */
import { calibrate } from '../../domain/judge/calibrate';
import { JudgeConfig } from '../../domain/evolution/config';
import type { CycleCalibration } from '../../domain/evolution/results';
import { judge } from './activities';
import { activeOf, type CycleRun } from './cycleState';
import { windowInput } from './judgeWindow';

/** Runs the calibration when required; returns why it failed, or null. */
export async function calibrateCycle(run: CycleRun): Promise<string | null> {
  const { config } = run;
  const settings = config.judge ?? JudgeConfig.parse({});
  const command = config.evaluation.metrics;
  if (!settings.requireCalibration || !command) return null;
  const active = activeOf(run);
  const rounds = settings.calibrationRounds;
  const timeoutSec = config.evaluation.commandTimeoutSec;
  // The same tree on both sides: A/A.
  const measured = await judge(timeoutSec, rounds).measureIterationWindow(
    windowInput(config, active, active, {
      command,
      rounds,
      maxRounds: rounds,
      minEffect: config.minEffect,
    }),
  );
  if (measured.failure) return `calibration failed: ${measured.failure.message}`;
  const c = calibrate({
    rounds: measured.rounds,
    alpha: config.alpha,
    confidence: settings.confidence,
    minEffect: config.minEffect,
    policies: config.policies,
    maxRounds: rounds,
  });
  const metrics: CycleCalibration['metrics'] = {};
  const suggested: number[] = [];
  for (const [name, m] of Object.entries(c.metrics)) {
    metrics[name] = {
      cv: m.cv,
      drift: m.drift,
      falseRollbackRate: m.falseRollbackRate,
      minDetectableEffect: m.minDetectableEffect,
      suggestedMinEffect: m.suggestedMinEffect,
    };
    if (m.suggestedMinEffect !== null && m.samples > m.rounds * 2)
      suggested.push(m.suggestedMinEffect);
  }
  const suggestedMinEffect = suggested.length ? Math.max(...suggested) : null;
  run.calibration = {
    rounds: c.rounds,
    alpha: c.alpha,
    falseRollbackRate: c.falseRollbackRate,
    minEffect: config.minEffect ?? suggestedMinEffect,
    suggestedMinEffect,
    metrics,
  };
  return null;
}
