/** Seed 002's pure rules: lane budgets and escalation, where a partial run starts, lane-step labels. */
import { describe, expect, it } from 'vitest';
import { laneStepLabel, matchesLaneStep } from '../../domain/checkpointStore';
import {
  heavierLane,
  LANE_BUDGET_SEC,
  laneBudgetSec,
  laneFromName,
  recoveryPlan,
  resolveStart,
  stepTimeoutSec,
} from '../../domain/pipeline';

describe('lanes', () => {
  it('have the guide’s whole-run budgets (docs/fast < 5 min, standard < 15, heavy < 20), replaceable per pipeline', () => {
    expect(LANE_BUDGET_SEC).toEqual({ docs: 300, standard: 900, heavy: 1200 });
    expect(laneFromName('fast')).toBe('docs');
    expect(laneFromName('warp')).toBeUndefined();
    expect(laneBudgetSec({ laneBudgetSec: { docs: 60 } }, 'docs')).toBe(60);
    expect(laneBudgetSec({}, 'heavy')).toBe(1200);
  });
  it('escalate docs → standard → heavy, and no further', () => {
    expect([heavierLane('docs'), heavierLane('standard'), heavierLane('heavy')]).toEqual([
      'standard',
      'heavy',
      null,
    ]);
  });
  it('cut a step timeout to the budget left, never below one second', () => {
    expect(stepTimeoutSec({ timeout: 600 }, 'docs')).toBe(300);
    expect(stepTimeoutSec({ timeout: 600 }, 'heavy', 90.7)).toBe(90);
    expect(stepTimeoutSec({ timeout: 600 }, 'standard', -5)).toBe(1);
  });
  it('plans follow the guide per failure type', () => {
    expect(recoveryPlan('timeout', 'standard').strategies).toEqual([
      'CHECK_RESOURCES',
      'RESUME',
      'ESCALATE_LANE',
      'MANUAL',
    ]);
    expect(recoveryPlan('resource_exhaustion', 'docs').strategies[0]).toBe('CHECK_RESOURCES');
    expect(recoveryPlan('quality_gate_failure', 'docs').strategies[0]).toBe('AUTO_FIX');
    expect(recoveryPlan('network_error', 'docs').strategies[0]).toBe('WAIT_RETRY');
    expect(recoveryPlan('git_error', 'docs').strategies[0]).toBe('GIT_RESET');
  });
});

describe('where a partial run starts', () => {
  const steps = [{ name: 'build' }, { name: 'test' }, { name: 'deploy' }];
  it('--from-step names a step of the lane', () => {
    expect(resolveStart('ci', steps, { fromStep: 'test' })).toEqual({ index: 1 });
    expect(resolveStart('ci', steps, { fromStep: 'nope' })).toMatchObject({
      error: expect.stringMatching(/no step "nope".*build, test, deploy/),
    });
  });
  it('--from-checkpoint starts after the step the checkpoint was taken at', () => {
    const at = (m: Record<string, unknown>) => resolveStart('ci', steps, { checkpointMetadata: m });
    expect(at({ pipeline: 'ci', stepName: 'build' })).toEqual({ index: 1 });
    expect(at({ pipeline: 'ci', stepName: 'start', step: 2 })).toEqual({ index: 2 });
    expect(at({ pipeline: 'ci', stepName: 'deploy' })).toMatchObject({
      error: expect.stringMatching(/nothing left/),
    });
    expect(at({ pipeline: 'other', stepName: 'build' })).toMatchObject({
      error: expect.stringMatching(/--from-step/),
    });
    expect(at({ lane: 'standard' })).toMatchObject({ error: expect.any(String) });
  });
});

describe('lane-step labels', () => {
  it('read like the guide’s ids and filter by lane and step number or name', () => {
    expect(laneStepLabel('standard', 3, new Date('2025-10-24T14:30:45.123Z'))).toBe(
      'standard-step3-20251024_143045',
    );
    const m = { lane: 'standard', step: 3, stepName: 'Running tests' };
    expect(matchesLaneStep(m, { lane: 'standard', step: '3' })).toBe(true);
    expect(matchesLaneStep(m, { step: 'Running tests' })).toBe(true);
    expect(matchesLaneStep(m, { lane: 'heavy' })).toBe(false);
    expect(matchesLaneStep(m, { step: '30' })).toBe(false);
    expect(matchesLaneStep({}, { step: '3' })).toBe(false);
  });
});
