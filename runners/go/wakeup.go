package main

import (
	"math"
	"time"
)

// waitNs is D in integer ns as every runner computes it: round(io_ms * 1e6),
// half to even like Python's round. The io tasks sleep exactly this long, so
// the wake-up error is measured against the wait that was asked for.
func waitNs(ioMs float64) time.Duration {
	return time.Duration(math.RoundToEven(ioMs * 1e6))
}

// wakeupFromSorted is wakeup_ms from the tasks' waits (woke - started, in ns)
// sorted ascending: diff = wait - D per task; early_tasks counts diff < 0;
// earliest/latest are min/max, p50/p99 nearest rank over the sorted diffs;
// every value is diff / 1e6 in float ms. Subtracting the same D keeps the
// order, so the runner passes its sorted service times (for io, woke is the
// finished stamp) and allocates nothing. sortedWaits must not be empty.
// Shared vectors: schema/wakeup_vectors.json.
func wakeupFromSorted(sortedWaits []time.Duration, d time.Duration) *wakeupInfo {
	early := 0
	for early < len(sortedWaits) && sortedWaits[early] < d {
		early++
	}
	diffMs := func(wait time.Duration) float64 { return durationMs(wait - d) }
	return &wakeupInfo{
		EarlyTasks: early,
		Earliest:   diffMs(sortedWaits[0]),
		P50:        diffMs(percentile(sortedWaits, 50)),
		P99:        diffMs(percentile(sortedWaits, 99)),
		Latest:     diffMs(sortedWaits[len(sortedWaits)-1]),
	}
}
