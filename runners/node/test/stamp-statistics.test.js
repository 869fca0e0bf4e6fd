'use strict';
// The runner computes latency, concurrency and wake-up error in place from its stamps (one scratch
// array, stamps sorted in place) to keep the work after the window small. It must give exactly what
// the definitions give, computed the plain way.
const test = require('node:test');
const assert = require('node:assert/strict');
const { statisticsOfStamps } = require('../lib/stamp-statistics');
const { concurrencyBlock } = require('../lib/peak-concurrency');
const { cdfOfSorted, sortedAscending, summarizeSorted } = require('../lib/percentiles');
const { wakeupMs } = require('../lib/wakeup');

/** A small deterministic generator (mulberry32), so a failure can be replayed. */
function random(seed) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function plainLatency(stamps) {
  const n = stamps.started.length;
  const service = [];
  const endToEnd = [];
  for (let i = 0; i < n; i += 1) {
    service.push(Number(stamps.finished[i] - stamps.started[i]) / 1e6);
    endToEnd.push(Number(stamps.finished[i] - stamps.submitted[i]) / 1e6);
  }
  const s = sortedAscending(service);
  const e = sortedAscending(endToEnd);
  return { service: summarizeSorted(s), end_to_end: summarizeSorted(e), cdf: { service: cdfOfSorted(s), end_to_end: cdfOfSorted(e) } };
}

for (const [seed, n, ioMs] of [[1, 1, 10], [2, 7, 0.5], [3, 1000, 10], [4, 5000, 10000], [5, 333, 2.5]]) {
  test(`in-place statistics equal the plain definitions (seed ${seed}, n ${n}, D ${ioMs} ms)`, () => {
    const next = random(seed);
    const windowStart = 5_000_000_000_000n + BigInt(Math.floor(next() * 1e6));
    const waitNs = Math.round(ioMs * 1e6);
    const stamps = { submitted: new BigUint64Array(n), started: new BigUint64Array(n), finished: new BigUint64Array(n) };
    for (let i = 0; i < n; i += 1) {
      const submitted = windowStart + BigInt(Math.floor(next() * 5e6));
      const started = submitted + BigInt(Math.floor(next() * 2e6));
      // woke up to 1 ms early or up to 3 ms late; some exactly on time
      const error = next() < 0.05 ? 0 : Math.floor(next() * 4e6) - 1e6;
      stamps.submitted[i] = submitted;
      stamps.started[i] = started;
      stamps.finished[i] = started + BigInt(Math.max(0, waitNs + error));
    }
    const copy = {
      submitted: stamps.submitted.slice(), started: stamps.started.slice(), finished: stamps.finished.slice(),
    };
    const got = statisticsOfStamps(stamps, windowStart, waitNs);
    assert.deepEqual(got.latency, plainLatency(copy));
    assert.deepEqual(got.concurrency, concurrencyBlock(copy, windowStart));
    assert.deepEqual(got.wakeup, wakeupMs(copy.started, copy.finished, ioMs));
  });
}

for (const [seed, n, ioMs] of [[11, 1, 10], [12, 7, 0.5], [13, 1000, 10], [14, 333, 2.5]]) {
  test(`mixed (a woke stamp): wake-up error from woke, not finished (seed ${seed}, n ${n}, D ${ioMs} ms)`, () => {
    const next = random(seed);
    const windowStart = 7_000_000_000_000n + BigInt(Math.floor(next() * 1e6));
    const waitNs = Math.round(ioMs * 1e6);
    const stamps = {
      submitted: new BigUint64Array(n), started: new BigUint64Array(n),
      woke: new BigUint64Array(n), finished: new BigUint64Array(n),
    };
    for (let i = 0; i < n; i += 1) {
      const submitted = windowStart + BigInt(Math.floor(next() * 5e6));
      const started = submitted + BigInt(Math.floor(next() * 2e6));
      const error = next() < 0.05 ? 0 : Math.floor(next() * 4e6) - 1e6;
      const woke = started + BigInt(Math.max(0, waitNs + error));
      stamps.submitted[i] = submitted;
      stamps.started[i] = started;
      stamps.woke[i] = woke;
      // the CPU work after the wait: 0 to 5 ms, so finished - started orders the tasks differently
      stamps.finished[i] = woke + BigInt(Math.floor(next() * 5e6));
    }
    const copy = {
      submitted: stamps.submitted.slice(), started: stamps.started.slice(),
      woke: stamps.woke.slice(), finished: stamps.finished.slice(),
    };
    const got = statisticsOfStamps(stamps, windowStart, waitNs);
    assert.deepEqual(got.latency, plainLatency(copy));
    assert.deepEqual(got.concurrency, concurrencyBlock(copy, windowStart));
    assert.deepEqual(got.wakeup, wakeupMs(copy.started, copy.woke, ioMs));
    if (n > 1) assert.notDeepEqual(got.wakeup, wakeupMs(copy.started, copy.finished, ioMs));
  });
}

test('a woke stamp before its started stamp is refused', () => {
  const stamps = {
    submitted: BigUint64Array.from([0n]), started: BigUint64Array.from([5n]),
    woke: BigUint64Array.from([4n]), finished: BigUint64Array.from([9n]),
  };
  assert.throws(() => statisticsOfStamps(stamps, 0n, 1), RangeError);
});

test('an interval that ends before it begins is refused', () => {
  const stamps = {
    submitted: BigUint64Array.from([0n]), started: BigUint64Array.from([5n]), finished: BigUint64Array.from([4n]),
  };
  assert.throws(() => statisticsOfStamps(stamps, 0n, null), RangeError);
});
