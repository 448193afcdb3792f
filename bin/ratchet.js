#!/usr/bin/env node
// The CLI runs compiled JavaScript from dist/ (built by `npm install` through
// the `prepare` script, and shipped in the package). In a checkout whose
// TypeScript sources are newer than that build — or where it was never built —
// it runs the sources through tsx instead, so it is never stale and never
// needs a step to remember (`npm run build` makes it fast again).
'use strict';
const { existsSync, readFileSync } = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const { distIsCurrent } = require('./distState');

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
 * `ratchet --help`, `-h`, `help`, `--version`, `-V` alone: commander's own
 * answer, saved by the build (client/cli.ts staticAnswers), printed without
 * loading commander or the verb table. On a terminal commander wraps help to
 * its width, so there only an 80-column one takes the saved text.
 */
function staticAnswer() {
  const args = process.argv.slice(2);
  if (args.length !== 1 || process.env.RATCHET_FROM_SOURCE === '1') return undefined;
  if (process.stdout.isTTY && process.stdout.columns !== 80) return undefined;
  const file = path.join(root, 'dist', 'cli', 'static.json');
  if (!existsSync(file) || !distIsCurrent()) return undefined;
  try {
    const answers = JSON.parse(readFileSync(file, 'utf8'));
    return Object.hasOwn(answers, args[0]) ? answers[args[0]] : undefined;
  } catch {
    return undefined; // commander answers
  }
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
    // One code cache per read (`evolve-list`, `evolve-status`, `agent-list`, …).
    const words = ['evolve', 'agent', 'session', 'list', 'status'];
    const use = args.filter((a) => words.includes(a)).join('-');
    return await require('./codeCache').requireCached(bundle, use).runFastRead(process.argv);
  } catch {
    return false;
  }
}

async function run() {
  const answer = staticAnswer();
  if (answer !== undefined) {
    process.stdout.write(answer);
    return 0;
  }
  if (await fastRead()) return 0;
  return loadCli().main(process.argv);
}

run()
  .then((code) => {
    process.exitCode = code;
  })
  .catch((err) => {
    process.stderr.write(`ratchet: ${err && err.stack ? err.stack : err}\n`);
    process.exitCode = 1;
  });
