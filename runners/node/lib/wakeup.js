'use strict';
// Wake-up error of the waits (runners/README.md, "Wake-up error"): for each task
// diff = (woke - started) - D, in integer nanoseconds with D_ns = round(io_ms * 1e6). For io, woke is
// the task's `finished` stamp. early_tasks = count(diff < 0); earliest/latest = min/max; p50/p99 =
// nearest rank over the sorted diffs; every value diff / 1e6 as a float (ms). Computed after the
// window. Shared vectors: schema/wakeup_vectors.json.
//
// Subtracting the constant D_ns keeps the order, so the sorted waits (woke - started) give the sorted
// diffs: the runner reuses the sorted service times of an io run instead of sorting a second array.

const { nearestRank } = require('./percentiles');

const NS_PER_MS = 1e6;

/** D in integer nanoseconds: round(io_ms * 1e6). */
function waitNsOf(ioMs) {
  return Math.round(ioMs * NS_PER_MS);
}

/**
 * The wakeup_ms block from waits (woke - started, integer ns as numbers, exact below 2^53) sorted
 * ascending, and D_ns.
 */
function wakeupOfSortedWaits(sortedWaitsNs, waitNs) {
  const n = sortedWaitsNs.length;
  const diffMs = (index) => (sortedWaitsNs[index] - waitNs) / NS_PER_MS;
  let early = 0;
  while (early < n && sortedWaitsNs[early] < waitNs) early += 1;
  return {
    early_tasks: early,
    earliest: diffMs(0),
    p50: diffMs(nearestRank(50, n) - 1),
    p99: diffMs(nearestRank(99, n) - 1),
    latest: diffMs(n - 1),
  };
}

/**
 * The wakeup_ms block from per-task stamps (array-likes of integer ns, bigint or number) and io_ms:
 * the definition written out, on the same core as the runner's own path.
 */
function wakeupMs(startedNs, wokeNs, ioMs) {
  const n = startedNs.length;
  if (wokeNs.length !== n) throw new RangeError(`${n} started stamps but ${wokeNs.length} woke stamps`);
  const waits = new Float64Array(n);
  for (let i = 0; i < n; i += 1) waits[i] = Number(BigInt(wokeNs[i]) - BigInt(startedNs[i]));
  waits.sort();
  return wakeupOfSortedWaits(waits, waitNsOf(ioMs));
}

module.exports = { waitNsOf, wakeupMs, wakeupOfSortedWaits };
