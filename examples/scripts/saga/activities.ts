// Your activities: each booking is a file in a folder, each cancellation removes it.
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ApplicationFailure } from '@temporalio/common';

export async function reserve(dir: string, item: string, soldOut: boolean): Promise<void> {
  // Non-retryable: retrying cannot make a sold-out car available.
  if (soldOut) throw ApplicationFailure.nonRetryable(`no ${item} left`, 'SoldOut');
  writeFileSync(path.join(dir, item), 'booked\n');
}

/** Idempotent: cancelling what was never booked is a success. */
export async function cancel(dir: string, item: string): Promise<void> {
  rmSync(path.join(dir, item), { force: true });
}
