/**
 * Seed 001's pure rules and the temporary-file cleanup's refusals: snapshot
 * validity (RollbackStateError's trigger), drift over registry, files,
 * processes and worktrees, audit levels — and removals refused outside the
 * allowed roots, through a symlink or for a root path.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createDriftActivities } from '../../activities/agents/drift';
import {
  deletionLeftovers,
  diffOperationSnapshots,
  snapshotProblems,
  type OperationSnapshot,
} from '../../domain/operationSnapshot';
import { rollbackAuditRecords } from '../../domain/rollbackAudit';

const snap = (over: Partial<OperationSnapshot> = {}): OperationSnapshot => ({
  operationId: 'agent-create-a',
  operationType: 'agent.create',
  takenAt: '2026-01-01T00:00:00.000Z',
  subjectId: 'a-1',
  subjectBranch: 'ratchet/agent-a-1',
  registry: { agents: [], sessions: [], allocations: [] },
  files: { '/d/agents/a-1': 'absent' },
  processes: {},
  worktrees: { '/r': { worktrees: ['/r'], branches: ['main'] } },
  ...over,
});
const now = Date.parse('2026-01-01T00:01:00Z');

describe('operation snapshots', () => {
  it('are valid only for this operation, with a timestamp not in the future and every part', () => {
    const expected = { operationId: 'agent-create-a', operationType: 'agent.create' as const, now };
    expect(snapshotProblems(snap(), expected)).toEqual([]);
    expect(snapshotProblems(null, expected)).toEqual(['no snapshot']);
    expect(snapshotProblems(snap({ operationId: 'other' }), expected)[0]).toMatch(/not of/);
    expect(snapshotProblems(snap({ takenAt: 'yesterday' }), expected)).toEqual([
      'takenAt is not a timestamp',
    ]);
    expect(snapshotProblems(snap({ takenAt: '2027-01-01T00:00:00Z' }), expected)[0]).toMatch(
      /future/,
    );
    expect(snapshotProblems({ ...snap(), files: undefined }, expected)).toEqual([
      'files is missing',
    ]);
  });

  it('drift covers registry, files, processes and worktrees', () => {
    const after = snap({
      registry: { agents: ['a-1'], sessions: [], allocations: [] },
      files: { '/d/agents/a-1': 'dir' },
      processes: { '42': true },
      worktrees: { '/r': { worktrees: ['/r', '/d/worktrees/a-1'], branches: ['main'] } },
    });
    expect(diffOperationSnapshots(snap(), after)).toEqual([
      'agents: a-1 is still there',
      'file: /d/agents/a-1 is still there (dir)',
      'process: 42 is still running',
      'worktree in /r: /d/worktrees/a-1 is still there',
    ]);
    expect(diffOperationSnapshots(snap(), snap())).toEqual([]);
  });

  it('after a delete, whatever of the subject is still there is drift', () => {
    const before = snap({
      registry: { agents: ['a-1'], sessions: [], allocations: ['a-1'] },
      files: { '/d/agents/a-1': 'dir' },
      processes: { '42': true },
      worktrees: { '/r': { worktrees: ['/r'], branches: ['main', 'ratchet/agent-a-1'] } },
    });
    const gone = snap({ files: { '/d/agents/a-1': 'absent' }, processes: { '42': false } });
    expect(deletionLeftovers(before, gone)).toEqual([]);
    const left = snap({
      registry: { agents: [], sessions: [], allocations: ['a-1'] },
      files: { '/d/agents/a-1': 'dir' },
      processes: { '42': true },
      worktrees: { '/r': { worktrees: ['/r'], branches: ['main', 'ratchet/agent-a-1'] } },
    });
    expect(deletionLeftovers(before, left)).toEqual([
      'allocations: a-1 is still there',
      'file: /d/agents/a-1 is still there (dir)',
      'process: 42 is still running',
      'branch in /r: ratchet/agent-a-1 is still there',
    ]);
  });
});

describe('rollback audit records', () => {
  const c = (status: 'succeeded' | 'failed' | 'skipped', actionType: string, priority: number) => ({
    actionType,
    resourceId: 'a-1',
    description: '',
    priority,
    status,
    attempts: 1,
    durationMs: 5,
    error: status === 'failed' ? 'boom' : null,
  });
  const base = {
    operationId: 'agent-create-a',
    operation: 'agent.create',
    subjectId: 'a-1',
    startedAt: 1000,
    finishedAt: 1250,
  };
  it('a clean rollback: WARNING start, INFO per action, INFO complete with duration and counts', () => {
    const r = rollbackAuditRecords({
      ...base,
      compensations: [c('succeeded', 'remove_record', 100), c('skipped', 'remove_state', 70)],
      cleanupCompleteness: 100,
      drift: [],
    });
    expect(r.map((x) => x.level)).toEqual(['WARNING', 'INFO', 'INFO', 'INFO']);
    expect(r[3]!.metadata).toMatchObject({
      successful_actions: 2,
      failed_actions: 0,
      rollback_duration_ms: 250,
    });
  });
  it('a failed action is ERROR; failures plus leftovers add CRITICAL; a refusal is CRITICAL alone', () => {
    const failedAndLeft = rollbackAuditRecords({
      ...base,
      compensations: [c('failed', 'remove_record', 100)],
      cleanupCompleteness: 0,
      drift: ['agents: a-1 is still there'],
    });
    expect(failedAndLeft.map((x) => x.level)).toEqual(['WARNING', 'ERROR', 'WARNING', 'CRITICAL']);
    const refused = rollbackAuditRecords({
      ...base,
      compensations: [],
      cleanupCompleteness: 0,
      drift: [],
      criticalError: 'RollbackStateError: no',
    });
    expect(refused.map((x) => x.level)).toEqual(['WARNING', 'CRITICAL']);
  });
});

describe('temporary-file cleanup refuses what is not its to remove', () => {
  const base = mkdtempSync(path.join(tmpdir(), 'ratchet-tmpclean-'));
  afterAll(() => rmSync(base, { recursive: true, force: true }));
  const dataDir = path.join(base, 'data');
  mkdirSync(dataDir);
  const acts = createDriftActivities({ dataDir });

  it('removes listed files and folders under the allowed roots; nothing there is skipped', async () => {
    const f = path.join(base, 'a.tmp');
    writeFileSync(f, 'x');
    await expect(acts.removeTemporaryFiles({ paths: [f] })).resolves.toEqual({ removed: [f] });
    expect(existsSync(f)).toBe(false);
    await expect(acts.removeTemporaryFiles({ paths: [f] })).resolves.toEqual({ skipped: true });
  });

  it('refuses roots, relative or ".." paths, paths outside the roots, and symlink escapes', async () => {
    // Somewhere outside every allowed root (the system temp dir among them: a
    // clone of this repository may itself live under /tmp).
    const outsideRoot = ['/var/tmp', homedir()].find(
      (d) => existsSync(d) && !path.relative(tmpdir(), d).match(/^$|^[^.]/),
    );
    const outside = mkdtempSync(path.join(outsideRoot ?? homedir(), '.ratchet-outside-'));
    try {
      const victim = path.join(outside, 'keep.txt');
      writeFileSync(victim, 'keep');
      symlinkSync(outside, path.join(base, 'link'));
      for (const p of [
        '/',
        'rel/path',
        `${base}/../x`,
        victim,
        path.join(base, 'link', 'keep.txt'),
      ])
        await expect(acts.removeTemporaryFiles({ paths: [p] }), p).rejects.toMatchObject({
          type: 'UnsafeTemporaryPath',
        });
      expect(existsSync(victim)).toBe(true);
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });
});
