/** Guards on what agent and session operations may touch. */
import path from 'node:path';
import { ApplicationFailure } from '@temporalio/activity';

/** A `.session_*` directory directly or deeply inside `root`, and nothing else, may be removed. */
export function assertSessionDir(dir: string, root: string): void {
  const resolved = path.resolve(dir);
  const rel = path.relative(path.resolve(root), resolved);
  if (!path.basename(resolved).startsWith('.session_')) {
    throw ApplicationFailure.create({
      type: 'UnsafeCleanupTarget',
      message: `refusing to remove ${resolved}: only .session_* directories are session directories`,
      nonRetryable: true,
    });
  }
  if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) {
    throw ApplicationFailure.create({
      type: 'UnsafeCleanupTarget',
      message: `refusing to remove ${resolved}: it is outside the sessions root ${root}`,
      nonRetryable: true,
    });
  }
}

export type FailMode = 'permanent' | 'transient' | 'timeout';

/** The test and demo switch: make this step fail the way it was asked to. */
export async function injectFailure(
  step: string,
  fail: { mode: FailMode } | undefined,
  phase: 'before' | 'after',
  attempt: number,
  stepTimeoutMs: number,
): Promise<void> {
  if (!fail) return;
  if (phase === 'before' && fail.mode === 'permanent') {
    throw ApplicationFailure.create({
      type: 'InjectedFailure',
      message: `${step} failed (failAt, permanent)`,
      nonRetryable: true,
    });
  }
  if (phase === 'before' && fail.mode === 'transient' && attempt === 1) {
    throw ApplicationFailure.create({
      type: 'InjectedFailure',
      message: `${step} failed (failAt, transient, attempt 1)`,
    });
  }
  if (phase === 'after' && fail.mode === 'timeout') {
    // The side effect happened; the step now outlives its timeout, as a hung call would.
    await new Promise((resolve) => setTimeout(resolve, stepTimeoutMs + 2_000));
  }
}
