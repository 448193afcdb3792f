#!/usr/bin/env node
// The CLI is TypeScript run through tsx, so `npx ratchet` works right after
// `npm install` with no build step to remember.
'use strict';
require('tsx/cjs');
require('../client/cli.ts')
  .main(process.argv)
  .then((code) => {
    process.exitCode = code;
  })
  .catch((err) => {
    process.stderr.write(`ratchet: ${err && err.stack ? err.stack : err}\n`);
    process.exitCode = 1;
  });
