'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { concurrencyBlock, peakOverlap, submitMs } = require('../lib/peak-concurrency');

const VECTORS = JSON.parse(fs.readFileSync(
  path.join(__dirname, '..', '..', '..', 'schema', 'concurrency_vectors.json'), 'utf8'));

test('the shared vector file has cases', () => {
  assert.ok(VECTORS.cases.length >= 8);
});

for (const vector of VECTORS.cases) {
  test(`concurrency vector: ${vector.name}`, () => {
    for (const [begin, end] of vector.intervals) {
      assert.ok(Number.isSafeInteger(begin) && Number.isSafeInteger(end), 'exact as a JSON number');
    }
    const begins = BigUint64Array.from(vector.intervals, ([begin]) => BigInt(begin));
    const ends = BigUint64Array.from(vector.intervals, ([, end]) => BigInt(end));
    const before = Array.from(begins);
    assert.equal(peakOverlap(begins, ends), vector.expected);
    assert.deepEqual(Array.from(begins), before, 'input left unsorted');
    // Input order does not matter; plain arrays of bigint work too.
    assert.equal(peakOverlap(Array.from(begins).reverse(), Array.from(ends).reverse()), vector.expected);
  });
}

test('edges: no intervals, malformed intervals', () => {
  assert.equal(peakOverlap(new BigUint64Array(0), new BigUint64Array(0)), 0);
  assert.throws(() => peakOverlap([0n, 5n], [10n]), RangeError);
  assert.throws(() => peakOverlap([10n], [9n]), RangeError);
});

test('numeric, not lexicographic, order: 9 ns ends before 10 ns begins', () => {
  assert.equal(peakOverlap([0n, 10n], [9n, 100n]), 1);
  assert.equal(peakOverlap([0n, 9n], [10n, 100n]), 2);
});

test('concurrencyBlock: pool of one, three tasks submitted at 100..102 ns, window opened at 100 ns', () => {
  const stamps = {
    submitted: BigUint64Array.from([100n, 101n, 102n]),
    started: BigUint64Array.from([101n, 111n, 121n]),
    finished: BigUint64Array.from([111n, 121n, 131n]),
  };
  assert.deepEqual(concurrencyBlock(stamps, 100n), { peak_running: 1, peak_in_flight: 3, submit_ms: 2e-6 });
});

test('submitMs: window opening to the last submission, any order, float ms never truncated', () => {
  assert.equal(submitMs(BigUint64Array.from([1_500_000n, 2_250_001n, 0n]), 0n), 2.250001);
  assert.equal(submitMs([7n], 7n), 0);
  assert.throws(() => submitMs(new BigUint64Array(0), 0n), RangeError);
  assert.throws(() => submitMs([5n, 9n], 6n), RangeError, 'a submission before the window opened');
});
