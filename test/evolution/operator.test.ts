/**
 * Rollbacks beyond the simple case: an operator's rollback mid-iteration,
 * cascading along the lineage, recovery to `stable`, and a cycle that parks
 * until an operator acts — all on real files, verified by tree checksums and
 * a smoke command.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  evolutionStatus,
  pauseEvolution,
  resumeEvolution,
  rollbackEvolution,
} from '../../client/evolution';
import { createTestEnv, type TestEnv } from '../helpers';
import { BASE_FILES, CHANGES } from '../support/evolutionFixture';
import { eventTypes, readTree, runCycle } from '../support/evolutionRun';

const poisoned = { ...CHANGES.faster, poison: 'this version fails its smoke check\n' };

describe('evolution rollbacks and operators', () => {
  let env: TestEnv;
  beforeAll(async () => {
    env = await createTestEnv();
  });
  afterAll(async () => env?.teardown());

  it('rolls back to a named version when an operator asks mid-iteration', async () => {
    const { result, workspace, before } = await runCycle({
      env,
      name: 'manual',
      plan: {
        1: { files: CHANGES.faster },
        2: { files: CHANGES.addExport },
        3: { sleepMs: 60_000 },
      },
      config: { iterations: 3 },
      during: async (handle) => {
        await expect
          .poll(
            async () => {
              const s = await evolutionStatus(env.client, handle.workflowId);
              return `${s.iteration}:${s.step}`;
            },
            { timeout: 120_000, interval: 200 },
          )
          .toBe('3:candidate');
        await rollbackEvolution(env.client, handle.workflowId, {
          toVersion: 'v1',
          reason: 'bad direction',
          by: 'ops',
        });
      },
    });
    expect(result.state).toBe('completed');
    expect(result.finalVersion).toBe('v1');
    expect(readTree(workspace)).toEqual(before);
    expect(result.iterations.map((i) => i.decision)).toEqual([
      'accepted',
      'accepted',
      'rolled_back',
    ]);
    expect(result.iterations[2]!.reason).toMatch(/interrupted by operator: bad direction/);
    expect(result.lineage.find((v) => v.version === 'v1')?.status).toBe('active');
    expect(result.lineage.find((v) => v.version === 'v3')?.status).toBe('rolled_back');
    expect(eventTypes(result)).toEqual(
      expect.arrayContaining(['OPERATOR_ACTION', 'ROLLBACK_COMPLETED']),
    );
  }, 120_000);

  it('cascades along the lineage when the checkpoint to restore is corrupted', async () => {
    const { result, workspace } = await runCycle({
      env,
      name: 'corrupt',
      // Iteration 3 tampers with v3's manifest (the version it must roll back to), then breaks a test.
      plan: ({ dataDir }) => ({
        1: { files: CHANGES.faster },
        2: { files: CHANGES.addExport },
        3: { before: corruptManifest(dataDir, 'corrupt', 'v3'), files: CHANGES.bug },
      }),
      // The mutator plays a failing disk here; sandboxed, it could not reach the store (as it should not).
      config: { iterations: 3, sandbox: 'off' },
    });
    expect(result.iterations.map((i) => i.decision)).toEqual([
      'accepted',
      'accepted',
      'rolled_back',
    ]);
    const failed = result.events.find((e) => e.type === 'ROLLBACK_FAILED');
    expect(failed?.data).toMatchObject({ version: 'v3' });
    expect(String(failed?.data.error)).toMatch(/CheckpointCorrupted/);
    expect(eventTypes(result)).toEqual(
      expect.arrayContaining(['CASCADING_ROLLBACK_STARTED', 'CASCADING_ROLLBACK_COMPLETED']),
    );
    expect(result.finalVersion).toBe('v2');
    expect(result.lineage.find((v) => v.version === 'v3')?.status).toBe('quarantined');
    expect(readTree(workspace)['perf.json']).toBe(CHANGES.faster['perf.json']);
    expect(readTree(workspace)['index.js']).toBe(BASE_FILES['index.js']);
  }, 120_000);

  it('cascades along the lineage when the restored version fails verification', async () => {
    const { result, workspace } = await runCycle({
      env,
      name: 'cascade',
      plan: { 1: { files: poisoned }, 2: { files: CHANGES.addExport }, 3: { files: CHANGES.bug } },
      config: { iterations: 3, smokeCommand: 'test ! -f poison' },
    });
    // v2 and v3 carry the poison: the rollback to v3 fails verification, v2 too, v1 holds.
    expect(result.iterations[2]).toMatchObject({ decision: 'rolled_back' });
    expect(result.finalVersion).toBe('v1');
    expect(readTree(workspace)).toEqual(readTreeOf(BASE_FILES));
    const types = eventTypes(result);
    expect(types).toEqual(
      expect.arrayContaining([
        'ROLLBACK_VERIFICATION_FAILED',
        'CASCADING_ROLLBACK_STARTED',
        'CASCADING_ROLLBACK_COMPLETED',
      ]),
    );
    expect(result.lineage.find((v) => v.version === 'v3')?.status).toBe('quarantined');
    expect(result.lineage.find((v) => v.version === 'v2')?.status).toBe('quarantined');
  }, 120_000);

  it('recovers to the stable version when the cascade is exhausted', async () => {
    const { result } = await runCycle({
      env,
      name: 'recover',
      plan: { 1: { files: poisoned }, 2: { files: CHANGES.addExport }, 3: { files: CHANGES.bug } },
      config: { iterations: 3, smokeCommand: 'test ! -f poison', maxRollbackAttempts: 1 },
    });
    expect(result.finalVersion).toBe('v1');
    const types = eventTypes(result);
    expect(types).toEqual(
      expect.arrayContaining([
        'CASCADING_ROLLBACK_STARTED',
        'FAILURE_RECOVERY_STARTED',
        'FAILURE_RECOVERY_COMPLETED',
      ]),
    );
    expect(types).not.toContain('CASCADING_ROLLBACK_COMPLETED');
  }, 120_000);

  it('parks in needs_attention when everything fails, until an operator resumes', async () => {
    const { result } = await runCycle({
      env,
      name: 'attention',
      plan: { 1: { files: CHANGES.bug } },
      config: { smokeCommand: 'test -f smoke-ok' },
      during: async (handle, { workspace }) => {
        await expect
          .poll(async () => (await evolutionStatus(env.client, handle.workflowId)).state, {
            timeout: 60_000,
          })
          .toBe('needs_attention');
        // The operator repairs the environment and resumes.
        writeFileSync(path.join(workspace, 'smoke-ok'), 'ok\n');
        await resumeEvolution(env.client, handle.workflowId);
      },
    });
    expect(result.state).toBe('completed');
    expect(eventTypes(result)).toEqual(
      expect.arrayContaining(['NEEDS_ATTENTION', 'OPERATOR_ACTION']),
    );
    expect(result.lineage.find((v) => v.version === 'v1')?.status).toBe('quarantined');
    expect(result.lineage.find((v) => v.version === result.finalVersion)?.status).toBe('active');
  }, 120_000);
});

/** A shell command that tampers with a checkpoint's manifest, as disk corruption would. */
function corruptManifest(dataDir: string, moduleId: string, version: string): string {
  const file = path.join(dataDir, 'checkpoints', 'manifests', moduleId, `${version}.json`);
  const script =
    'const fs=require("fs");const f=process.argv[1];const m=JSON.parse(fs.readFileSync(f,"utf8"));m.files+=1;fs.writeFileSync(f,JSON.stringify(m))';
  return `node -e '${script}' ${JSON.stringify(file)}`;
}

function readTreeOf(files: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(files).sort(([a], [b]) => a.localeCompare(b)));
}

describe('long cycles', () => {
  let env: TestEnv;
  beforeAll(async () => {
    env = await createTestEnv();
  });
  afterAll(async () => env?.teardown());

  it('continues as new between iterations and pauses and resumes on request, losing nothing', async () => {
    let runIds = new Set<string>();
    const { result } = await runCycle({
      env,
      name: 'longcycle',
      plan: {
        1: { files: CHANGES.faster },
        2: { files: CHANGES.bug },
        3: { files: CHANGES.addExport },
      },
      config: { iterations: 3, iterationsPerRun: 1 },
      during: async (handle) => {
        await pauseEvolution(env.client, handle.workflowId);
        await expect
          .poll(async () => (await evolutionStatus(env.client, handle.workflowId)).state, {
            timeout: 60_000,
          })
          .toBe('paused');
        await resumeEvolution(env.client, handle.workflowId);
        const finished = await handle.result();
        runIds = new Set([finished.workflowId]);
        const described = await env.client.workflow.getHandle(handle.workflowId).describe();
        runIds.add(described.runId);
      },
    });
    expect(result.iterations.map((i) => i.decision)).toEqual([
      'accepted',
      'rolled_back',
      'accepted',
    ]);
    expect(result.finalVersion).toBe('v4');
    const seqs = result.events.map((e) => e.seq);
    expect(seqs).toEqual(seqs.map((_, i) => i + 1)); // one unbroken event log across runs
    expect(eventTypes(result).filter((t) => t === 'OPERATOR_ACTION')).toHaveLength(2);
    expect(runIds.size).toBe(2);
  }, 180_000);
});
