/**
 * A bounded CPU-burning neighbour for judge tests: busy 150 ms, idle 150 ms,
 * counting its toggles in a file under `dir`; it exits by itself after 120 s
 * should the test die before stopping it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

export interface Neighbour {
  child: ChildProcess;
  /** How many busy spells it has finished so far. */
  toggles: () => number;
}

export function startNeighbour(dir: string): Neighbour {
  const marker = path.join(dir, `neighbour-${Date.now()}`);
  const script = `
    const fs = require('node:fs');
    const end = Date.now() + 120000;
    let n = 0;
    const cycle = () => {
      if (Date.now() > end) process.exit(0);
      const stop = Date.now() + 150;
      while (Date.now() < stop) Math.sqrt(Math.random());
      // Renamed into place: a reader never sees the file truncated mid-write.
      fs.writeFileSync(${JSON.stringify(marker + '.tmp')}, String(++n));
      fs.renameSync(${JSON.stringify(marker + '.tmp')}, ${JSON.stringify(marker)});
      setTimeout(cycle, 150);
    };
    cycle();`;
  const child = spawn(process.execPath, ['-e', script], { stdio: 'ignore' });
  // The count only grows: the highest value read so far is the answer.
  let seen = 0;
  return {
    child,
    toggles: () => {
      const now = existsSync(marker) ? Number(readFileSync(marker, 'utf8')) : 0;
      if (Number.isFinite(now) && now > seen) seen = now;
      return seen;
    },
  };
}

export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
