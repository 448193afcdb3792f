/**
 * Issue 17, seed 003: the per-module metric history. Hostile readings are
 * dropped, torn and foreign lines skipped, and once EVALUATION_COMPLETED
 * carries `metricValues` (the wiring left to the cycle) the judge's history
 * loads from it across cycles — accepted versions only.
 */
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  loadJudgeHistory,
  metricHistoryFile,
  readMetricHistory,
  recordMetricHistory,
} from '../../activities/evolution/metricHistory';
import { CheckpointStore, createCheckpoint, setVersionStatus } from '../../activities/checkpoints';
import type { EvolutionEvent } from '../../domain/evolution/events';

const dirs: string[] = [];
const temp = () => {
  const d = mkdtempSync(path.join(tmpdir(), 'ratchet-history-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const evaluation = (seq: number, data: Record<string, unknown>): EvolutionEvent => ({
  seq,
  type: 'EVALUATION_COMPLETED',
  at: '2026-01-01T00:00:00.000Z',
  moduleId: 'm',
  iteration: seq,
  data,
});

describe('metric history', () => {
  it('keeps well-formed readings only and skips torn or foreign lines', async () => {
    const dataDir = temp();
    const written = await recordMetricHistory(dataDir, { moduleId: 'm', cycleId: 'c1' }, [
      evaluation(1, {
        version: 'v2',
        testsPassed: true,
        failedGates: ['lint', 3],
        failure: null,
        metrics: ['a', 'b', 'c'],
        metricValues: { a: 1, b: [1, 2], c: 'NaN', d: [], e: { x: 1 } },
      }),
      { ...evaluation(2, {}), type: 'CYCLE_STARTED' },
    ]);
    expect(written).toBe(1);
    const file = metricHistoryFile(dataDir, 'm');
    appendFileSync(file, '{"moduleId":"m","cyc\n["not", "an entry"]\n\n');
    const history = await readMetricHistory(dataDir, 'm');
    expect(history).toEqual([
      expect.objectContaining({
        cycleId: 'c1',
        version: 'v2',
        testsPassed: true,
        failedGates: ['lint'],
        metricNames: ['a', 'b', 'c'],
        metrics: { a: 1, b: [1, 2] },
      }),
    ]);
    expect(() => metricHistoryFile(dataDir, '../etc')).toThrow();
  });

  it('feeds the judge the accepted versions of every cycle, once values are recorded', async () => {
    const dataDir = temp();
    const ws = temp();
    writeFileSync(path.join(ws, 'a.txt'), '1');
    const store = new CheckpointStore(dataDir);
    await createCheckpoint(store, { workspace: ws, moduleId: 'm' }); // v1
    writeFileSync(path.join(ws, 'a.txt'), '2');
    await createCheckpoint(store, { workspace: ws, moduleId: 'm' }); // v2
    await setVersionStatus(store, { moduleId: 'm', version: 'v2', status: 'rolled_back' });
    await recordMetricHistory(dataDir, { moduleId: 'm', cycleId: 'c1' }, [
      evaluation(1, { version: 'v1', metricValues: { execution_time: [1, 2, 3] } }),
    ]);
    await recordMetricHistory(dataDir, { moduleId: 'm', cycleId: 'c2' }, [
      evaluation(1, { version: 'v2', metricValues: { execution_time: 9 } }),
      evaluation(2, { version: 'v1', metrics: ['execution_time'] }), // names only: nothing to judge
    ]);
    expect(await loadJudgeHistory(dataDir, { moduleId: 'm' })).toEqual([{ execution_time: 2 }]);
    // Without the event naming it, the version is the newest checkpoint of that iteration.
    await createCheckpoint(store, {
      workspace: ws,
      moduleId: 'm',
      metadata: { iteration: 7, candidate: 'x' },
    });
    await recordMetricHistory(dataDir, { moduleId: 'm', cycleId: 'c3' }, [
      evaluation(7, { testsPassed: false }),
    ]);
    expect((await readMetricHistory(dataDir, 'm')).at(-1)).toMatchObject({
      cycleId: 'c3',
      version: 'v3',
      testsPassed: false,
    });
  });
});
