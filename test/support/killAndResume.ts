/**
 * The kill-and-resume scaffold of the durability tests: a worker process runs the
 * run, dies mid-way (SIGKILLed by the test, or by a fault plan), a fresh one takes
 * over each time, and the outcome is checked on the last. Worker processes come
 * from the one launcher, test/support/workerProcess.ts; whichever worker is
 * current when the test ends (passed or failed) is stopped.
 */
import { expect } from 'vitest';
import { startWorkerProcess, type WorkerProcess } from './workerProcess';

/** Waits until the worker should be dead (killing it, or seeing it die); it may look at the run. */
export type WorkerDeath<H = unknown> = (worker: WorkerProcess, run: H) => Promise<void>;

export interface KillAndResume<H> {
  taskQueue: string;
  dataDir: string;
  /** Starts the run, once the first worker is up. */
  start: () => Promise<H>;
  /** One per worker death, in order; a fresh worker starts after each. */
  deaths: WorkerDeath<H>[];
  /** Waits for the run's outcome and checks it, on the last worker. */
  outcome: (run: H) => Promise<void>;
}

export async function killAndResume<H>(spec: KillAndResume<H>): Promise<void> {
  let worker = await startWorkerProcess(spec.taskQueue, spec.dataDir);
  try {
    const run = await spec.start();
    for (const death of spec.deaths) {
      await death(worker, run);
      worker = await startWorkerProcess(spec.taskQueue, spec.dataDir);
    }
    await spec.outcome(run);
  } finally {
    await worker.stop();
  }
}

/** SIGKILL the worker once `midway` says the run is where the test wants it (polled, not timed). */
export function killWhen<H = unknown>(
  midway: (run: H) => boolean | Promise<boolean>,
  poll: { timeout: number; interval: number } = { timeout: 60_000, interval: 100 },
): WorkerDeath<H> {
  return async (worker, run) => {
    await expect.poll(() => midway(run), poll).toBe(true);
    await worker.kill();
  };
}
