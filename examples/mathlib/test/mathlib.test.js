'use strict';
const test = require('node:test');
const assert = require('node:assert');
const { mean, median, primesBelow } = require('..');

test('mean', () => {
  assert.strictEqual(mean([1, 2, 3, 4]), 2.5);
  assert.ok(Number.isNaN(mean([])));
});

test('median of odd and even lists', () => {
  assert.strictEqual(median([3, 1, 2]), 2);
  assert.strictEqual(median([4, 1, 3, 2]), 2.5);
  assert.ok(Number.isNaN(median([])));
});

test('primes', () => {
  assert.deepStrictEqual(primesBelow(30), [2, 3, 5, 7, 11, 13, 17, 19, 23, 29]);
  assert.strictEqual(primesBelow(100000).length, 9592);
  assert.deepStrictEqual(primesBelow(2), []);
});
