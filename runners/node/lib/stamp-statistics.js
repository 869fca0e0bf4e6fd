'use strict';
// Everything an ok document derives from the per-task stamps, computed after the window with as
// little memory as the figures allow (runners/README.md, "Memory": the whole process's kernel max RSS
// is compared with a bare program's, so the work after the window must stay small too).
//
// One scratch Float64Array of N holds the service times (integer ns, exact below 2^53), sorted; the
// wake-up error of an io run comes from the same sorted array (diff = service - D_ns keeps the order,
// since woke is the finished stamp); then the scratch is converted to ms in place for the service
// percentiles. A mixed run has a `woke` stamp of its own: the same scratch first holds its waits
// (woke - started), sorted, for the wake-up error, then the service times. The same scratch then holds the end-to-end times. Last, the three stamp arrays are
// sorted in place for the two peak sweeps. The stamps are consumed: their per-task pairing is gone
// afterwards.

const { cdfOfSorted, summarizeSorted } = require('./percentiles');
const { peakOverlapSorted, submitMs } = require('./peak-concurrency');
const { wakeupOfSortedWaits } = require('./wakeup');

const NS_PER_MS = 1e6;

/** scratch[i] = ends[i] - begins[i] (ns); throws when an interval ends before it begins. */
function fillDurations(scratch, begins, ends, what) {
  for (let i = 0; i < scratch.length; i += 1) {
    const ns = ends[i] - begins[i];
    if (ns < 0n) throw new RangeError(`task ${i}: ${what} interval ends before it begins (${ends[i]} < ${begins[i]})`);
    scratch[i] = Number(ns);
  }
}

function toMsInPlace(values) {
  for (let i = 0; i < values.length; i += 1) values[i] /= NS_PER_MS;
}

/**
 * From stamps { submitted, started, finished } and, for mixed, `woke` (BigUint64Array of hrtime ns;
 * submitted, started and finished are sorted in place here), the window's opening instant (bigint)
 * and D_ns (null for workloads without a wait): { latency, concurrency, wakeup } blocks of the result
 * document. The wake-up error is computed from `woke` when there is one, else from `finished`.
 */
function statisticsOfStamps(stamps, windowStart, waitNs) {
  const { submitted, started, finished } = stamps;
  const woke = stamps.woke === undefined ? null : stamps.woke;
  const n = submitted.length;
  const submit = submitMs(submitted, windowStart);
  const scratch = new Float64Array(n);

  let wakeup = null;
  if (waitNs !== null && woke !== null) {
    fillDurations(scratch, started, woke, 'wait');
    scratch.sort();
    wakeup = wakeupOfSortedWaits(scratch, waitNs);
  }
  fillDurations(scratch, started, finished, 'service');
  scratch.sort();
  if (waitNs !== null && woke === null) wakeup = wakeupOfSortedWaits(scratch, waitNs);
  toMsInPlace(scratch);
  const service = summarizeSorted(scratch);
  const serviceCdf = cdfOfSorted(scratch);

  fillDurations(scratch, submitted, finished, 'end-to-end');
  scratch.sort();
  toMsInPlace(scratch);
  const endToEnd = summarizeSorted(scratch);
  const endToEndCdf = cdfOfSorted(scratch);

  submitted.sort();
  started.sort();
  finished.sort();
  return {
    latency: { service, end_to_end: endToEnd, cdf: { service: serviceCdf, end_to_end: endToEndCdf } },
    concurrency: {
      peak_running: peakOverlapSorted(started, finished),
      peak_in_flight: peakOverlapSorted(submitted, finished),
      submit_ms: submit,
    },
    wakeup,
  };
}

module.exports = { statisticsOfStamps };
