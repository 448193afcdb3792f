/**
 * Where a benchmark's time goes, per activity type: how long tasks waited
 * between being scheduled and starting on the worker (queueing: worker slots,
 * pollers, server round trips) and how long they ran. An activity interceptor,
 * so product code is untouched.
 */
import type { ActivityInterceptorsFactory } from '@temporalio/worker';

interface Sample {
  waitMs: number;
  runMs: number;
}

export function activityProfile(): {
  interceptor: ActivityInterceptorsFactory;
  table(): string;
} {
  const samples = new Map<string, Sample[]>();
  const interceptor: ActivityInterceptorsFactory = (ctx) => ({
    inbound: {
      async execute(input, next) {
        const t0 = Date.now();
        const waitMs = t0 - ctx.info.currentAttemptScheduledTimestampMs;
        try {
          return await next(input);
        } finally {
          const list = samples.get(ctx.info.activityType) ?? [];
          list.push({ waitMs, runMs: Date.now() - t0 });
          samples.set(ctx.info.activityType, list);
        }
      },
    },
  });
  const table = () => {
    const q = (xs: number[], f: number) =>
      [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(f * xs.length))] ?? 0;
    const rows = [...samples].map(([type, s]) => {
      const wait = s.map((x) => x.waitMs);
      const run = s.map((x) => x.runMs);
      const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
      return { type, n: s.length, wait, run, total: sum(wait) + sum(run) };
    });
    rows.sort((a, b) => b.total - a.total);
    const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
    return [
      'activity                      n     wait p50   wait p99   run p50    run p99',
      ...rows.map(
        (r) =>
          `${r.type.padEnd(28)} ${String(r.n).padStart(4)}  ${s(q(r.wait, 0.5)).padStart(9)}  ${s(q(r.wait, 0.99)).padStart(9)}  ${s(q(r.run, 0.5)).padStart(9)}  ${s(q(r.run, 0.99)).padStart(9)}`,
      ),
    ].join('\n');
  };
  return { interceptor, table };
}
