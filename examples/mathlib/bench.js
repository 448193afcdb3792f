'use strict';
// Prints one JSON object: metric name → samples. Each sample is the median of
// several timed runs, so a noisy machine still gives a stable distribution.
const { primesBelow } = require('./');

const SAMPLES = 20;
const RUNS_PER_SAMPLE = 5;
const N = 150000;

function timeOnce() {
  const t0 = process.hrtime.bigint();
  primesBelow(N);
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

for (let i = 0; i < 3; i++) timeOnce(); // warm up the JIT
const samples = [];
for (let s = 0; s < SAMPLES; s++) {
  const runs = Array.from({ length: RUNS_PER_SAMPLE }, timeOnce).sort((a, b) => a - b);
  samples.push(Math.round(runs[Math.floor(RUNS_PER_SAMPLE / 2)] * 1000) / 1000);
}
console.log(JSON.stringify({ execution_time: samples }));
