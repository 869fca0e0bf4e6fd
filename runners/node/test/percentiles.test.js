'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const {
  cdfOfSorted, nearestRank, percentile, sortedAscending, summarizeSorted,
} = require('../lib/percentiles');

const VECTORS = JSON.parse(fs.readFileSync(
  path.join(__dirname, '..', '..', '..', 'schema', 'percentile_vectors.json'), 'utf8'));

test('the shared vector file has cases', () => {
  assert.ok(VECTORS.cases.length >= 10);
});

for (const vector of VECTORS.cases) {
  test(`percentile vector: ${vector.name}`, () => {
    const sorted = sortedAscending(vector.samples);
    const summary = summarizeSorted(sorted);
    const cdf = cdfOfSorted(sorted);
    for (const [key, expected] of Object.entries(vector.expected)) {
      if (key === 'min') {
        assert.equal(cdf[0], expected, 'min (p0)');
        assert.equal(percentile(vector.samples, 0), expected, 'percentile(p0)');
      } else if (key === 'max') {
        assert.equal(summary.max, expected, 'max');
        assert.equal(cdf[100], expected, 'p100');
      } else {
        const p = Number(key.slice(1));
        assert.equal(summary[key], expected, key);
        assert.equal(cdf[p], expected, `cdf[${p}]`);
        assert.equal(percentile(vector.samples, p), expected, `percentile(${p})`);
      }
    }
  });
}

test('nearest rank arithmetic', () => {
  assert.equal(nearestRank(0, 1), 1);
  assert.equal(nearestRank(0, 1000), 1);
  assert.equal(nearestRank(50, 2), 1);
  assert.equal(nearestRank(50, 3), 2); // ceil(1.5)
  assert.equal(nearestRank(99, 1000), 990);
  assert.equal(nearestRank(99, 999), 990); // ceil(989.01)
  assert.equal(nearestRank(100, 7), 7);
  assert.equal(nearestRank(1, 1), 1);
  // Large n where floating a/100 would round up to the next integer: (p*n+99) // 100 exactly.
  const n = 90071992547409; // floor(MAX_SAFE_INTEGER / 100)
  assert.equal(nearestRank(99, n), Number((99n * BigInt(n) + 99n) / 100n));
  assert.equal(nearestRank(37, n), Number((37n * BigInt(n) + 99n) / 100n));
  assert.throws(() => nearestRank(50, 0), RangeError);
  assert.throws(() => nearestRank(50.5, 10), RangeError);
  assert.throws(() => nearestRank(101, 10), RangeError);
});

test('summary and cdf shapes; numeric (not lexicographic) sort; mean', () => {
  const samples = [10, 9, 100, 2];
  const sorted = sortedAscending(samples);
  assert.deepEqual(Array.from(sorted), [2, 9, 10, 100]);
  const summary = summarizeSorted(sorted);
  assert.deepEqual(Object.keys(summary), ['p50', 'p90', 'p99', 'max', 'mean']);
  assert.equal(summary.p50, 9);
  assert.equal(summary.mean, 30.25);
  const cdf = cdfOfSorted(sorted);
  assert.equal(cdf.length, 101);
  for (let i = 1; i < cdf.length; i += 1) assert.ok(cdf[i] >= cdf[i - 1]);
  assert.deepEqual(samples, [10, 9, 100, 2], 'input left unsorted');
});
