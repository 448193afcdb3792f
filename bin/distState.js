// Whether dist/ (the build: bin/build.js) may run instead of the TypeScript
// sources: bin/ratchet.js asks at every start, tests ask to know which path a
// spawned CLI took.
'use strict';
const { existsSync, readdirSync, statSync } = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const SOURCE_DIRS = [
  'client',
  'config',
  'domain',
  'server',
  'workers',
  'workflows',
  'activities',
  'lib',
];

/**
 * The newest .ts/.js mtime under `dir`. Runs at every start from a checkout
 * (~230 files): plain string paths, as path.join's normalising tripled its cost.
 */
function newestSource(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = `${dir}/${entry.name}`;
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(full));
    else if (entry.name.endsWith('.ts') || entry.name.endsWith('.js'))
      newest = Math.max(newest, statSync(full).mtimeMs);
  }
  return newest;
}

/** dist/ is current when it exists and no source (if sources are here at all) is newer. */
let current;
function distIsCurrent() {
  current ??= checkDist();
  return current;
}

function checkDist() {
  const stamp = path.join(root, 'dist', '.build-stamp');
  if (!existsSync(path.join(root, 'dist', 'client', 'cli.js'))) return false;
  if (!existsSync(path.join(root, 'client', 'cli.ts'))) return true; // installed package: no sources
  if (!existsSync(stamp)) return false;
  const built = statSync(stamp).mtimeMs;
  const pkg = statSync(path.join(root, 'package.json')).mtimeMs;
  if (pkg > built) return false;
  return SOURCE_DIRS.every(
    (d) => !existsSync(path.join(root, d)) || newestSource(path.join(root, d)) <= built,
  );
}

module.exports = { distIsCurrent };
