'use strict';
// schema/wakeup_vectors.json replayed exactly through the runner's own wake-up code.
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { waitNsOf, wakeupMs, wakeupOfSortedWaits } = require('../lib/wakeup');
const { statisticsOfStamps } = require('../lib/stamp-statistics');

const VECTORS = JSON.parse(fs.readFileSync(
  path.join(__dirname, '..', '..', '..', 'schema', 'wakeup_vectors.json'), 'utf8'));

test('the shared wake-up vector file has vectors', () => {
  assert.ok(VECTORS.vectors.length >= 5);
});

for (const vector of VECTORS.vectors) {
  test(`wake-up vector: ${vector.name}`, () => {
    for (const ns of [...vector.started_ns, ...vector.woke_ns]) {
      assert.ok(Number.isSafeInteger(ns), 'exact as a JSON number');
    }
    assert.deepEqual(wakeupMs(vector.started_ns, vector.woke_ns, vector.io_ms), vector.expected);
    // The runner's path: an io task's woke stamp is its finished stamp, and the wake-up error comes
    // out of the same pass as the service times.
    const n = vector.started_ns.length;
    const stamps = {
      submitted: BigUint64Array.from(vector.started_ns, BigInt),
      started: BigUint64Array.from(vector.started_ns, BigInt),
      finished: BigUint64Array.from(vector.woke_ns, BigInt),
    };
    const windowStart = stamps.submitted.reduce((a, b) => (b < a ? b : a));
    const { wakeup } = statisticsOfStamps(stamps, windowStart, waitNsOf(vector.io_ms));
    assert.deepEqual(wakeup, vector.expected);
    assert.ok(n >= 1);
  });
}

test('D_ns = round(io_ms * 1e6)', () => {
  assert.equal(waitNsOf(10), 10_000_000);
  assert.equal(waitNsOf(0.5), 500_000);
  assert.equal(waitNsOf(2.5), 2_500_000);
  assert.equal(waitNsOf(10000), 10_000_000_000);
  assert.equal(waitNsOf(0.0000004), 0);
  assert.equal(waitNsOf(0.0000006), 1);
});

test('no wait, no wake-up error: statisticsOfStamps gives null for a workload without a wait', () => {
  const stamps = {
    submitted: BigUint64Array.from([0n]), started: BigUint64Array.from([1n]), finished: BigUint64Array.from([9n]),
  };
  assert.equal(statisticsOfStamps(stamps, 0n, null).wakeup, null);
});

test('wakeupOfSortedWaits counts strictly early waits only', () => {
  assert.deepEqual(wakeupOfSortedWaits(Float64Array.from([999, 1000, 1001]), 1000),
    { early_tasks: 1, earliest: -0.000001, p50: 0, p99: 0.000001, latest: 0.000001 });
});
