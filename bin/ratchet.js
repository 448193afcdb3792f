#!/usr/bin/env node
// The CLI runs compiled JavaScript from dist/ (built by `npm install` through
// the `prepare` script, and shipped in the package). In a checkout whose
// TypeScript sources are newer than that build — or where it was never built —
// it runs the sources through tsx instead, so it is never stale and never
// needs a step to remember (`npm run build` makes it fast again).
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

function newestSource(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(full));
    else if (/\.(ts|js)$/.test(entry.name)) newest = Math.max(newest, statSync(full).mtimeMs);
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

function loadCli() {
  if (process.env.RATCHET_FROM_SOURCE !== '1' && distIsCurrent()) {
    // The bundles (bin/bundle.js) when the build made them, else tsc's modules.
    const bundled = path.join(root, 'dist', 'cli', 'main.js');
    return require(existsSync(bundled) ? bundled : '../dist/client/cli.js');
  }
  require('tsx/cjs');
  return require('../client/cli.ts');
}

/**
 * `evolve list --json`, `evolve status ID --json` and `agent|session list
 * --json` first try the fast read path (client/fastReadEntry.ts), which loads
 * neither the program nor the Temporal client; it resolves false when the
 * program must answer instead.
 */
async function fastRead() {
  const args = process.argv.slice(2);
  if (!args.includes('--json') || !['evolve', 'agent', 'session'].some((v) => args.includes(v)))
    return false;
  if (process.env.RATCHET_FULL_CLIENT === '1' || process.env.RATCHET_FROM_SOURCE === '1')
    return false;
  const bundle = path.join(root, 'dist', 'cli', 'fastRead.js');
  if (!existsSync(bundle) || !distIsCurrent()) return false;
  // Anything unexpected on the fast path: the program answers (and words the error).
  try {
    return await require(bundle).runFastRead(process.argv);
  } catch {
    return false;
  }
}

fastRead()
  .then((done) => (done ? 0 : loadCli().main(process.argv)))
  .then((code) => {
    process.exitCode = code;
  })
  .catch((err) => {
    process.stderr.write(`ratchet: ${err && err.stack ? err.stack : err}\n`);
    process.exitCode = 1;
  });
