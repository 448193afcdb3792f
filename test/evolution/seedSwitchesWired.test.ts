/**
 * Issue 17, seeds 000/003: the switches the cycle now honours, over real cycles.
 * autoRollback: false leaves a failing candidate in the workspace and parks for
 * an operator; autoCleanup applies maxCheckpoints after each iteration, keeps
 * what retention protects, and its failure is only an event; cascade and
 * recovery switched off go straight to the operator; failure recovery walks
 * several known-good versions past a corrupt one; rollbackTimeoutSec stops a
 * hung rollback (its command killed) and parks for an operator.
 */
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ApplicationFailure, type Context } from '@temporalio/activity';
import type { ActivityInboundCallsInterceptor } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CheckpointStore } from '../../activities/checkpoints';
import { evolutionStatus, resumeEvolution } from '../../client/evolution';
import { createTestEnv, type TestEnv } from '../helpers';
import { BASE_FILES, CHANGES } from '../support/evolutionFixture';
import { eventTypes, readTree, runCycle, sleepingIn } from '../support/evolutionRun';

describe("the seeds' switches, wired into the cycle", () => {
  let env: TestEnv;
  beforeAll(async () => {
    env = await createTestEnv();
  });
  afterAll(async () => env?.teardown());

  const parked = async (workflowId: string) =>
    expect
      .poll(async () => (await evolutionStatus(env.client, workflowId)).state, {
        timeout: 60_000,
      })
      .toBe('needs_attention');

  it('autoRollback: false parks a failing candidate in needs_attention, workspace untouched', async () => {
    let atPark: Record<string, string> = {};
    const run = await runCycle({
      env,
      name: 'noautorollback',
      plan: { 1: { files: CHANGES.bug } },
      config: { autoRollback: false },
      during: async (handle, { workspace }) => {
        await parked(handle.workflowId);
        atPark = readTree(workspace);
        // The operator looks, then resumes as is.
        await resumeEvolution(env.client, handle.workflowId);
      },
    });
    // The candidate's tree is still there: no rollback touched it.
    expect(atPark).toEqual(readTree(run.workspace));
    expect(atPark['index.js']).toBe(CHANGES.bug['index.js']);
    expect(atPark).not.toEqual(run.before);
    const types = eventTypes(run.result);
    expect(types).toEqual(expect.arrayContaining(['NEEDS_ATTENTION', 'OPERATOR_ACTION']));
    expect(types).not.toContain('ROLLBACK_INITIATED');
    expect(types).not.toContain('ROLLBACK_COMPLETED');
    const record = run.result.iterations[0]!;
    expect([record.decision, record.rollbackPerformed]).toEqual(['rolled_back', false]);
    expect(run.result.lineage.find((v) => v.version === 'v2')?.status).toBe('rolled_back');
  }, 120_000);

  it('autoCleanup keeps maxCheckpoints after each iteration, never what retention protects', async () => {
    const run = await runCycle({
      env,
      name: 'autocleanup',
      // v2 rolled back, then v3 accepted: v2 falls outside the newest 1 and is unprotected.
      plan: { 1: { files: CHANGES.bug }, 2: { files: CHANGES.faster } },
      config: { iterations: 2, stableAfter: 0, autoCleanup: true, maxCheckpoints: 1 },
    });
    const { moduleId } = run.result;
    const id = (v: string) => `${moduleId}@${v}`;
    expect(run.result.iterations.map((i) => [i.version, i.decision])).toEqual([
      ['v2', 'rolled_back'],
      ['v3', 'accepted'],
    ]);
    const cleaned = run.result.events.filter((e) => e.type === 'CHECKPOINTS_CLEANED_UP');
    expect(cleaned.map((e) => e.data.removed)).toEqual([[], [id('v2')]]);
    expect(eventTypes(run.result)).not.toContain('CHECKPOINT_CLEANUP_FAILED');
    // On disk: v2's checkpoint is gone; v3 (active) and v1 (its ancestor) are kept and restorable.
    const store = new CheckpointStore(run.dataDir);
    const state = await store.readModule(moduleId);
    const live = state!.versions.filter((v) => !v.pruned).map((v) => v.version);
    expect(live.sort()).toEqual(['v1', 'v3']);
    expect(readTree(run.workspace)).toEqual({ ...run.before, ...CHANGES.faster });
  }, 120_000);

  it("a failing autoCleanup is an event, never the cycle's end", async () => {
    // The store's trouble, injected at the activity boundary.
    const failCleanup = (ctx: Context): { inbound: ActivityInboundCallsInterceptor } => ({
      inbound: {
        async execute(input, next) {
          if (ctx.info.activityType === 'autoCleanup')
            throw ApplicationFailure.nonRetryable('disk on fire', 'CleanupFailed');
          return next(input);
        },
      },
    });
    const run = await runCycle({
      env,
      name: 'cleanupfails',
      plan: { 1: { files: CHANGES.faster } },
      worker: { interceptors: { activity: [failCleanup] } },
      config: { stableAfter: 0, autoCleanup: true, maxCheckpoints: 1 },
    });
    expect(run.result.state).toBe('completed');
    expect(run.result.iterations.map((i) => [i.version, i.decision])).toEqual([['v2', 'accepted']]);
    const failed = run.result.events.find((e) => e.type === 'CHECKPOINT_CLEANUP_FAILED')!;
    expect(failed.data.error).toMatch(/disk on fire/);
    expect(eventTypes(run.result)).not.toContain('CHECKPOINTS_CLEANED_UP');
  }, 120_000);

  it('enableCascadingRollback and enableRollbackFailureRecovery false go straight to an operator', async () => {
    const run = await runCycle({
      env,
      name: 'nocascade',
      // v2 passes and is accepted; v3's tests fail, and the rollback to v2 fails its smoke check.
      plan: {
        1: { files: { ...CHANGES.faster, poison: 'fails the smoke check\n' } },
        2: { files: CHANGES.bug },
      },
      config: {
        iterations: 2,
        smokeCommand: 'test ! -f poison',
        enableCascadingRollback: false,
        enableRollbackFailureRecovery: false,
      },
      during: async (handle, { workspace }) => {
        await parked(handle.workflowId);
        // The operator repairs the workspace to the base tree and resumes.
        writeFileSync(path.join(workspace, 'index.js'), BASE_FILES['index.js']!);
        await resumeEvolution(env.client, handle.workflowId);
      },
    });
    const types = eventTypes(run.result);
    expect(types).toContain('ROLLBACK_VERIFICATION_FAILED');
    expect(types).not.toContain('CASCADING_ROLLBACK_STARTED');
    expect(types).not.toContain('FAILURE_RECOVERY_STARTED');
    const attention = run.result.events.find((e) => e.type === 'NEEDS_ATTENTION')!;
    expect(attention.data.skipped).toEqual([
      'enableCascadingRollback: false',
      'enableRollbackFailureRecovery: false',
    ]);
    // v1, the cascade's next target, was never tried.
    expect(run.result.lineage.find((v) => v.version === 'v1')?.status).not.toBe('quarantined');
    expect(existsSync(path.join(run.workspace, 'poison'))).toBe(true);
  }, 120_000);

  it('rollbackTimeoutSec stops a hung rollback, kills its command, and parks for an operator', async () => {
    let hungKilled = false;
    const run = await runCycle({
      env,
      name: 'rollbacktimeout',
      plan: { 1: { files: CHANGES.bug } },
      // The rollback's smoke check never ends on its own (5 s leaves a loaded machine time to
      // restore and start it; the marker proves it did start).
      config: { smokeCommand: 'touch smoke-started && sleep 300', rollbackTimeoutSec: 5 },
      during: async (handle, { workspace }) => {
        await parked(handle.workflowId);
        expect(existsSync(path.join(workspace, 'smoke-started'))).toBe(true);
        // The cancelled smoke check's process group is gone, not left running.
        await expect.poll(() => sleepingIn(workspace), { timeout: 60_000 }).toBe(false);
        hungKilled = true;
        await resumeEvolution(env.client, handle.workflowId);
      },
    });
    expect(hungKilled).toBe(true);
    const attention = run.result.events.find((e) => e.type === 'NEEDS_ATTENTION')!;
    expect(attention.data.reason).toMatch(/rollback timed out after 5s \(rollbackTimeoutSec\)/);
    expect(eventTypes(run.result)).not.toContain('ROLLBACK_COMPLETED');
  }, 120_000);

  it('failure recovery tries the next known-good version when the newest stable one fails', async () => {
    const run = await runCycle({
      env,
      name: 'knowngood',
      // v2 (poisoned) and v3 (on it) accepted; v1 and v2 become stable; v4's tests fail.
      plan: {
        1: { files: { ...CHANGES.faster, poison: 'fails the smoke check\n' } },
        2: { files: { 'perf.json': '{ "factor": 0.64 }\n' } },
        3: { files: CHANGES.bug },
      },
      config: {
        iterations: 3,
        stableAfter: 1,
        smokeCommand: 'test ! -f poison',
        enableCascadingRollback: false,
      },
    });
    expect(run.result.iterations.map((i) => [i.version, i.decision])).toEqual([
      ['v2', 'accepted'],
      ['v3', 'accepted'],
      ['v4', 'rolled_back'],
    ]);
    const started = run.result.events.find((e) => e.type === 'FAILURE_RECOVERY_STARTED')!;
    expect(started.data.candidates).toEqual(['v2', 'v1']);
    const done = run.result.events.find((e) => e.type === 'FAILURE_RECOVERY_COMPLETED')!;
    expect(done.data).toMatchObject({ version: 'v1', chain: ['v3', 'v2', 'v1'] });
    expect(run.result.finalVersion).toBe('v1');
    expect(run.result.lineage.find((v) => v.version === 'v2')?.status).toBe('quarantined');
    expect(readTree(run.workspace)).toEqual(run.before);
  }, 120_000);
});
