/**
 * Recorded histories of evolution cycles (test/fixtures/histories, refreshed
 * with RATCHET_RECORD_HISTORIES=1) replayed through the current workflow
 * code: a non-deterministic change fails here, before it reaches a running cycle.
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { HISTORIES_DIR } from '../support/evolutionRun';

describe('replaying recorded evolution histories', () => {
  const files = readdirSync(HISTORIES_DIR)
    .filter((f) => f.endsWith('.history.bin'))
    .sort();

  it('has histories of cycles and iterations to replay', () => {
    expect(files.length).toBeGreaterThanOrEqual(4);
  });

  it('replays every one deterministically', async () => {
    const histories = files.map((f) => ({
      workflowId: path.basename(f, '.history.bin'),
      history: temporal.api.history.v1.History.decode(readFileSync(path.join(HISTORIES_DIR, f))),
    }));
    const failures: string[] = [];
    for await (const result of Worker.runReplayHistories(
      { workflowBundle: { codePath: inject('workflowBundlePath') } },
      histories,
    )) {
      if (result.error) failures.push(`${result.workflowId}: ${result.error.message}`);
    }
    expect(failures).toEqual([]);
  });
});
