'use strict';
/**
 * mathlib as a tiny HTTP service (plain Node, nothing to install), for
 * `ratchet serve` and the hot swap: GET /health, /release, /primes?below=N.
 * Listens on $PORT (ratchet gives each copy one when the health URL says
 * {port}) or on the first argument.
 */
const http = require('node:http');
const { primesBelow } = require('./index');

const RELEASE = 'mathlib-service 1';
const port = Number(process.env.PORT || process.argv[2] || 8080);

function send(res, status, body) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(`${JSON.stringify(body)}\n`);
}

const server = http.createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://localhost');
  if (url.pathname === '/health') return send(res, 200, { ok: true, release: RELEASE });
  if (url.pathname === '/release') return send(res, 200, { release: RELEASE, pid: process.pid });
  if (url.pathname === '/primes') {
    const below = Math.min(Number(url.searchParams.get('below') ?? 100), 1_000_000);
    return send(res, 200, { primes: primesBelow(below).length });
  }
  return send(res, 404, { error: 'not found' });
});

server.listen(port, '127.0.0.1');
const stop = () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
