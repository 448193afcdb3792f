/**
 * Bookkeeping for an operation run as a saga: which steps ran, how long, which
 * failed — the `steps` half of an OperationOutcome.
 */
import { ApplicationFailure, isCancellation } from '@temporalio/workflow';
import type { StepRecord } from '../../domain/operations';

export function failureMessage(err: unknown): string {
  let e: unknown = err;
  while (e && (e as { cause?: unknown }).cause && !(e instanceof ApplicationFailure))
    e = (e as { cause?: unknown }).cause;
  if (e instanceof ApplicationFailure) return `${e.type ?? 'Error'}: ${e.message}`;
  if (isCancellation(err)) return 'cancelled';
  return err instanceof Error ? err.message : String(err);
}

export class OperationSteps {
  readonly steps: StepRecord[];
  failedStep: string | null = null;
  error: string | null = null;

  /** Which step is running now (null between steps). */
  current: string | null = null;

  constructor(
    names: readonly string[],
    /** Told when a step starts or ends (e.g. to rewrite the run's current details). */
    private readonly onChange: () => void = () => undefined,
  ) {
    this.steps = names.map((name) => ({ name, status: 'not_run', durationMs: 0, error: null }));
  }

  /** Runs one step; `register` (its compensations) runs first, as the saga rule says. */
  async run<T>(name: string, register: () => void, fn: () => Promise<T>): Promise<T> {
    const record = this.steps.find((s) => s.name === name);
    register();
    const started = Date.now();
    this.current = name;
    this.onChange();
    try {
      const result = await fn();
      if (record) Object.assign(record, { status: 'completed', durationMs: Date.now() - started });
      this.current = null;
      this.onChange();
      return result;
    } catch (err) {
      const message = failureMessage(err);
      if (record)
        Object.assign(record, {
          status: 'failed',
          durationMs: Date.now() - started,
          error: message,
        });
      this.failedStep = name;
      this.error = message;
      this.current = null;
      this.onChange();
      throw err;
    }
  }
}
