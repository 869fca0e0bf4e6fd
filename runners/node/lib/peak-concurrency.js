'use strict';
// Measured concurrency: how many tasks really overlapped, from the per-task stamps (after the window).
//
// Each task is a half-open interval [begin, end) of hrtime nanoseconds (bigint). The peak is the
// largest number of intervals that contain one instant: a sweep over the events in time order, +1 at
// a begin and -1 at an end, where at equal timestamps every end counts before any begin (a task that
// ends exactly when another begins does not overlap it). An empty interval (end == begin) contains no
// instant; the peak of one or more tasks is at least 1. Shared vectors: schema/concurrency_vectors.json.
// submit_ms, from the same stamps: the window opening to the last submission (the spawn cost).

/**
 * Largest number of intervals [begins[i], ends[i]) containing one instant; 0 for no intervals.
 * `begins` and `ends` are array-likes of bigint (e.g. BigUint64Array); neither is modified.
 */
function peakOverlap(begins, ends) {
  if (begins.length !== ends.length) {
    throw new RangeError(`${begins.length} begins but ${ends.length} ends`);
  }
  const n = begins.length;
  for (let i = 0; i < n; i += 1) {
    if (ends[i] < begins[i]) {
      throw new RangeError(`interval ${i} ends before it begins (${ends[i]} < ${begins[i]})`);
    }
  }
  if (n === 0) return 0;
  // Typed-array sort is numeric (a plain Array's default sort would compare strings).
  return peakOverlapSorted(BigUint64Array.from(begins).sort(), BigUint64Array.from(ends).sort());
}

/**
 * peakOverlap over begins and ends that are each already sorted ascending (the pairing of a begin
 * with its end no longer matters for the peak). The runner sorts its stamp arrays in place after
 * the window and calls this, so that no copy of them is made.
 */
function peakOverlapSorted(sortedBegins, sortedEnds) {
  const n = sortedBegins.length;
  if (sortedEnds.length !== n) throw new RangeError(`${n} begins but ${sortedEnds.length} ends`);
  if (n === 0) return 0;
  let running = 0;
  let peak = 0;
  let ended = 0;
  for (let i = 0; i < n; i += 1) {
    const begin = sortedBegins[i];
    // Ends at or before this begin come first: back-to-back tasks do not overlap.
    while (ended < n && sortedEnds[ended] <= begin) {
      ended += 1;
      running -= 1;
    }
    running += 1;
    if (running > peak) peak = running;
  }
  return Math.max(peak, 1);
}

/**
 * Float ms (never truncated) from the window opening (`windowStart`, hrtime ns bigint) to the last
 * submission: how long the model took to accept all N tasks (its spawn cost).
 */
function submitMs(submitted, windowStart) {
  const n = submitted.length;
  if (n === 0) throw new RangeError('no submissions');
  let first = submitted[0];
  let last = submitted[0];
  for (let i = 1; i < n; i += 1) {
    if (submitted[i] < first) first = submitted[i];
    if (submitted[i] > last) last = submitted[i];
  }
  if (first < windowStart) {
    throw new RangeError(`a task was submitted before the window opened (${first} < ${windowStart})`);
  }
  return Number(last - windowStart) / 1e6;
}

/**
 * The concurrency block of an ok document from stamps { submitted, started, finished } and the
 * window's opening instant (hrtime ns bigint): peak_running over [started, finished), peak_in_flight
 * over [submitted, finished), submit_ms from the window opening to the last submission.
 */
function concurrencyBlock(stamps, windowStart) {
  return {
    peak_running: peakOverlap(stamps.started, stamps.finished),
    peak_in_flight: peakOverlap(stamps.submitted, stamps.finished),
    submit_ms: submitMs(stamps.submitted, windowStart),
  };
}

module.exports = { concurrencyBlock, peakOverlap, peakOverlapSorted, submitMs };
