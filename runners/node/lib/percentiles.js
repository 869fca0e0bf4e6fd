'use strict';
// Nearest-rank percentiles, exactly as runners/README.md defines them and as the shared vectors in
// schema/percentile_vectors.json pin them down:
//   rank(p, n) = max(1, ceil(p*n/100)) = max(1, (p*n + 99) // 100);  value = sorted[rank - 1].
// No interpolation; p0 is the minimum, p100 the maximum.

function assertCount(n) {
  if (!Number.isSafeInteger(n) || n < 1) {
    throw new RangeError(`sample count must be an integer >= 1, got ${n}`);
  }
}

/**
 * 1-based nearest rank for integer percentile p (0..100) of n samples.
 * Integer-safe: p*n + 99 stays an exact integer (n is far below 2^53 / 100), and
 * (a - a % 100) / 100 divides a multiple of 100 by 100, which is exact in binary floating point,
 * unlike Math.floor(a / 100) whose rounded quotient may land on the next integer for huge a.
 */
function nearestRank(p, n) {
  if (!Number.isInteger(p) || p < 0 || p > 100) {
    throw new RangeError(`percentile must be an integer in 0..100, got ${p}`);
  }
  assertCount(n);
  if (n > Math.floor(Number.MAX_SAFE_INTEGER / 100)) {
    throw new RangeError(`too many samples for exact rank arithmetic: ${n}`);
  }
  const a = p * n + 99;
  const rank = (a - (a % 100)) / 100;
  return Math.max(1, rank);
}

/** Ascending copy of the samples as a Float64Array (numeric sort, not string sort). */
function sortedAscending(samples) {
  const sorted = Float64Array.from(samples);
  sorted.sort();
  return sorted;
}

function percentileOfSorted(sorted, p) {
  return sorted[nearestRank(p, sorted.length) - 1];
}

function percentile(samples, p) {
  return percentileOfSorted(sortedAscending(samples), p);
}

function meanOf(sorted) {
  let sum = 0;
  for (let i = 0; i < sorted.length; i += 1) sum += sorted[i];
  return sum / sorted.length;
}

/** The schema's `distribution`: p50, p90, p99, max, mean. */
function summarizeSorted(sorted) {
  assertCount(sorted.length);
  return {
    p50: percentileOfSorted(sorted, 50),
    p90: percentileOfSorted(sorted, 90),
    p99: percentileOfSorted(sorted, 99),
    max: sorted[sorted.length - 1],
    mean: meanOf(sorted),
  };
}

/** p0, p1, ..., p100: 101 values for latency_ms.cdf. */
function cdfOfSorted(sorted) {
  assertCount(sorted.length);
  const points = new Array(101);
  for (let p = 0; p <= 100; p += 1) points[p] = percentileOfSorted(sorted, p);
  return points;
}

module.exports = {
  cdfOfSorted,
  nearestRank,
  percentile,
  percentileOfSorted,
  sortedAscending,
  summarizeSorted,
};
