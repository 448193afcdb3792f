/** The checkpoint activities as the worker registers them (composed in createActivities). */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { afterAll, describe, expect, it } from 'vitest';
import { createActivities } from '../../activities';
import type { CheckpointActivities } from '../../domain/checkpointStore';

const base = mkdtempSync(path.join(tmpdir(), 'ratchet-cp-acts-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));

describe('checkpoint activities', () => {
  it('are registered under the contract names and round-trip a workspace', async () => {
    const acts = createActivities({ dataDir: path.join(base, 'data'), taskQueue: 'q' });
    const contract: CheckpointActivities = acts;
    const ws = path.join(base, 'svc');
    mkdirSync(ws);
    writeFileSync(path.join(ws, 'a.txt'), 'one');
    const v1 = await contract.createCheckpoint({
      workspace: ws,
      moduleId: 'svc',
      tags: ['stable'],
    });
    writeFileSync(path.join(ws, 'a.txt'), 'two');
    const v2 = await contract.createCheckpoint({
      workspace: ws,
      moduleId: 'svc',
      status: 'active',
    });
    expect(await contract.workspaceChecksum({ workspace: ws, moduleId: 'svc' })).toBe(v2.checksum);
    await contract.setVersionStatus({ moduleId: 'svc', version: 'v2', status: 'rolled_back' });
    expect(await acts.findRollbackTarget({ moduleId: 'svc', from: 'v2' })).toMatchObject({
      version: 'v1',
    });
    const restored = await contract.restoreCheckpoint({ checkpointId: v1.id });
    expect(restored.checksum).toBe(v1.checksum);
    expect(readFileSync(path.join(ws, 'a.txt'), 'utf8')).toBe('one');
    expect((await contract.getLineage({ moduleId: 'svc' })).map((v) => v.status)).toEqual([
      'accepted',
      'rolled_back',
    ]);
    const err = await contract
      .restoreCheckpoint({ checkpointId: 'svc@v1', workspace: '/' })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApplicationFailure);
    expect(err).toMatchObject({ type: 'DangerousRestoreTarget', nonRetryable: true });
  });
});
