'use strict';

/** Sum of a list of numbers. */
function sum(values) {
  let result = 0;
  for (const v of values) result += v;
  return result;
}

/** Arithmetic mean; NaN for an empty list. */
function mean(values) {
  return values.length === 0 ? NaN : sum(values) / values.length;
}

/** Median; NaN for an empty list. */
function median(values) {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** Every prime below n, by trial division. */
function primesBelow(n) {
  const primes = [];
  for (let candidate = 2; candidate < n; candidate++) {
    let isPrime = true;
    for (let d = 2; d * d <= candidate; d++) {
      if (candidate % d === 0) {
        isPrime = false;
        break;
      }
    }
    if (isPrime) primes.push(candidate);
  }
  return primes;
}

module.exports = { sum, mean, median, primesBelow };
