/**
 * `npm run bench [-- NAME…]`: runs every bench/*.bench.ts (or the named ones)
 * one after another, each in its own process. Benchmarks print ratios against
 * a baseline measured in the same run; they assert nothing.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';

const root = path.join(__dirname, '..');
const wanted = process.argv.slice(2);
const benches = readdirSync(path.join(root, 'bench'))
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => wanted.length === 0 || wanted.some((w) => f.startsWith(w)))
  .sort();
if (benches.length === 0) {
  console.error(`no benchmark matches ${wanted.join(', ')}`);
  process.exit(2);
}
let failed = 0;
for (const file of benches) {
  console.log(`\n=== ${file} ===`);
  const res = spawnSync(
    process.execPath,
    [path.join(root, 'bin', 'run-ts.js'), path.join('bench', file)],
    {
      cwd: root,
      stdio: 'inherit',
    },
  );
  if (res.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
