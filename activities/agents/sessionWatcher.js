'use strict';
// A session's file watcher: records every change under the session directory
// into <dir>/.watch.log until stopped. argv: <dir> <sessionId>
const fs = require('node:fs');
const path = require('node:path');
const [dir, sessionId] = process.argv.slice(2);
if (!dir || !sessionId) process.exit(2);
const log = path.join(dir, '.watch.log');
const watcher = fs.watch(dir, (event, name) => {
  if (name && name !== '.watch.log') fs.appendFileSync(log, `${Date.now()} ${event} ${name}\n`);
});
// Tell whoever started us that changes are being watched from now on.
fs.appendFileSync(log, `${Date.now()} ready ${sessionId}\n`);
process.on('SIGTERM', () => {
  watcher.close();
  process.exit(0);
});
