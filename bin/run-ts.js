#!/usr/bin/env node
// Runs a TypeScript script (benchmarks, tooling) through tsx without a build step.
'use strict';
require('tsx/cjs');
const [, , script, ...rest] = process.argv;
process.argv = [process.argv[0], script, ...rest];
require(require('node:path').resolve(script));
