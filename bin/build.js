#!/usr/bin/env node
// Compiles the package into dist/ (JavaScript + declarations). Runs as the
// `prepare` script, so `npm install` on a clone and `npm pack` both build it;
// bin/ratchet.js falls back to the TypeScript sources when dist/ is missing
// or older than them. Plain JavaScript: it runs before anything is compiled.
'use strict';
const { spawnSync } = require('node:child_process');
const { cpSync, mkdirSync, readdirSync, renameSync, writeFileSync } = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const dist = path.join(root, 'dist');
const tsc = require.resolve('typescript/bin/tsc', { paths: [root] });
const result = spawnSync(process.execPath, [tsc, '-p', path.join(root, 'tsconfig.build.json')], {
  // Diagnostics on stderr: stdout belongs to `npm pack --json`.
  stdio: ['ignore', 2, 2],
  cwd: root,
});
if (result.status !== 0) {
  process.stderr.write('ratchet build: tsc failed; the CLI will run from the TypeScript sources\n');
  // `npm install` (e.g. --omit=dev, without @types/node) must not fail over it; `npm pack` and `npm run build` must.
  const installing = ['install', 'ci'].includes(process.env.npm_command ?? '');
  process.exit(installing ? 0 : (result.status ?? 1));
}
// Plain-JS helpers the activities spawn (agent runner, session watcher) ship as they are.
for (const dir of ['activities/agents']) {
  for (const file of readdirSync(path.join(root, dir))) {
    if (!file.endsWith('.js')) continue;
    mkdirSync(path.join(dist, dir), { recursive: true });
    cpSync(path.join(root, dir, file), path.join(dist, dir, file));
  }
}
// The CLI's bundles (bin/bundle.js): optional, the CLI runs tsc's output without them.
const { rmSync } = require('node:fs');
const { bundleCli } = require('./bundle');

async function bundle() {
  try {
    await bundleCli(root);
  } catch (err) {
    rmSync(path.join(dist, 'cli'), { recursive: true, force: true });
    process.stderr.write(
      `ratchet build: CLI bundles skipped (${err.message}); the CLI runs dist/client\n`,
    );
  }
}

// bin/ratchet.js compares this stamp's time with the sources' to decide whether dist/ is
// current. Written last and atomically: until then a CLI started meanwhile runs the sources.
// (tsc is incremental, so rebuilding an unchanged tree rewrites no JavaScript under a running CLI.)
void bundle().then(() => {
  const stamp = path.join(dist, '.build-stamp');
  writeFileSync(`${stamp}.${process.pid}`, `${new Date().toISOString()}\n`);
  renameSync(`${stamp}.${process.pid}`, stamp);
});
