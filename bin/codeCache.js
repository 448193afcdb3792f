// Loads a CLI bundle with V8's code cache beside it. Node 20 has no
// module.enableCompileCache (22.1+), and v8-compile-cache keeps one blob for
// every module a program ever loaded, read whole at each start; the fast read
// path is one bundle, so vm.Script's cachedData does the job in a few lines.
// Measured on `evolve list --json`: ~85 -> ~58 ms from process start to exit
// (the bundle's parse and the functions a read compiles come from the cache).
//
// The cache is written by the first run that finds none (or one V8 rejects),
// at exit, atomically (temp file + rename). Its name carries a hash of the
// bundle (0.4 ms), as V8 checks only a source's length: a rebuilt or upgraded
// bundle never meets the cache of the old one. A directory we may not write
// (a read-only install) only means no cache.
'use strict';
const { createHash } = require('node:crypto');
const { readFileSync, renameSync, rmSync, writeFileSync } = require('node:fs');
const Module = require('node:module');
const path = require('node:path');
const vm = require('node:vm');

function cacheFileOf(file, use, source = readFileSync(file, 'utf8')) {
  const hash = createHash('sha1').update(source).digest('hex').slice(0, 16);
  return `${file}.${use}.${hash}.cache`;
}

/**
 * `require(file)`, compiled with the code cache beside it when V8 accepts it.
 * `use` names what the caller runs (e.g. the verb): one cache each, as each
 * holds the functions its own kind of run compiled.
 */
function requireCached(file, use) {
  const source = readFileSync(file, 'utf8');
  const cacheFile = cacheFileOf(file, use, source);
  let cachedData;
  try {
    cachedData = readFileSync(cacheFile);
  } catch {
    cachedData = undefined;
  }
  const script = new vm.Script(Module.wrap(source), {
    filename: file,
    cachedData,
  });
  const mod = { exports: {} };
  script.runInThisContext()(mod.exports, Module.createRequire(file), mod, file, path.dirname(file));
  if (cachedData === undefined || script.cachedDataRejected) {
    // At exit: the cache then holds every function this run compiled, not only the top level.
    process.once('exit', () => {
      const tmp = `${cacheFile}.${process.pid}`;
      try {
        writeFileSync(tmp, script.createCachedData());
        renameSync(tmp, cacheFile);
      } catch {
        rmSync(tmp, { force: true }); // not writable (or full): run without a cache
      }
    });
  }
  return mod.exports;
}

module.exports = { requireCached, cacheFileOf };
