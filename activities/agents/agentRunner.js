'use strict';
// The default agent process: writes a heartbeat file every 200 ms until told
// to stop. Plain JS so it starts in milliseconds. argv: <heartbeatFile> <agentId>
const fs = require('node:fs');
const [file, agentId] = process.argv.slice(2);
if (!file || !agentId) process.exit(2);
const beat = () =>
  fs.writeFileSync(file, JSON.stringify({ agentId, pid: process.pid, at: Date.now() }));
beat();
const timer = setInterval(beat, 200);
process.on('SIGTERM', () => {
  clearInterval(timer);
  process.exit(0);
});
