package main

import (
	"fmt"
	"slices"
	"time"
)

// concurrencyInfo is the result's concurrency block: how many tasks really
// overlapped and how long submitting them took, computed after the window from
// the per-task stamps.
type concurrencyInfo struct {
	PeakRunning  int     `json:"peak_running"`   // over [started, finished)
	PeakInFlight int     `json:"peak_in_flight"` // over [submitted, finished), queued tasks included
	SubmitMs     float64 `json:"submit_ms"`      // window opening to the last submission (spawn cost)
}

// peakOverlap returns the largest number of half-open intervals
// [begins[i], ends[i]) that contain one instant (0 for no intervals): a sweep
// over the events in time order, +1 at a begin and -1 at an end, where at
// equal timestamps every end counts before any begin, so a task that ends
// exactly when another begins does not overlap it. An empty interval
// (end == begin) contains no instant; the peak of one or more tasks is at
// least 1. It sorts begins and ends in place (the pairing is lost; nothing is
// allocated). Shared vectors: schema/concurrency_vectors.json.
func peakOverlap(begins, ends []time.Duration) (int, error) {
	if err := checkIntervals(begins, ends); err != nil {
		return 0, err
	}
	slices.Sort(begins)
	slices.Sort(ends)
	return sweepPeak(begins, ends), nil
}

// checkIntervals: one end per begin, and no interval ends before it begins.
func checkIntervals(begins, ends []time.Duration) error {
	if len(begins) != len(ends) {
		return fmt.Errorf("%d begins but %d ends", len(begins), len(ends))
	}
	for i := range begins {
		if ends[i] < begins[i] {
			return fmt.Errorf("interval %d ends before it begins (%d < %d)", i, ends[i], begins[i])
		}
	}
	return nil
}

// sweepPeak is peakOverlap's sweep over begins and ends, each sorted ascending.
func sweepPeak(sortedBegins, sortedEnds []time.Duration) int {
	n := len(sortedBegins)
	if n == 0 {
		return 0
	}
	running, peak, ended := 0, 0, 0
	for _, begin := range sortedBegins {
		// Ends at or before this begin come first: back-to-back tasks do not overlap.
		for ended < n && sortedEnds[ended] <= begin {
			ended++
			running--
		}
		running++
		peak = max(peak, running)
	}
	return max(peak, 1)
}

// submitSpan is the time from the window opening (t0, the stamps' origin) to
// the last submission: the model's spawn cost for N tasks.
func submitSpan(submitted []time.Duration) (time.Duration, error) {
	if len(submitted) == 0 {
		return 0, fmt.Errorf("no submissions")
	}
	if first := slices.Min(submitted); first < 0 {
		return 0, fmt.Errorf("a task was submitted before the window opened (%d)", first)
	}
	return slices.Max(submitted), nil
}

// checkStamps checks, while the stamps are still paired by task, what the
// concurrency block needs: every task ends after it started and after it was
// submitted; for mixed, also that it woke between its start and its end.
func checkStamps(st *stamps) error {
	if err := checkIntervals(st.started, st.finished); err != nil {
		return fmt.Errorf("peak_running: %w", err)
	}
	if err := checkIntervals(st.submitted, st.finished); err != nil {
		return fmt.Errorf("peak_in_flight: %w", err)
	}
	if st.woke != nil { // mixed: started <= woke <= finished, so wakeup_ms and service agree
		if err := checkIntervals(st.started, st.woke); err != nil {
			return fmt.Errorf("wakeup_ms: %w", err)
		}
		if err := checkIntervals(st.woke, st.finished); err != nil {
			return fmt.Errorf("wakeup_ms: %w", err)
		}
	}
	return nil
}

// measuredConcurrency is the concurrency block of an ok document. It is the
// last use of the stamps: it sorts each of them in place, which loses the
// pairing by task, so checkStamps must have passed and the latencies must
// have been computed before.
func measuredConcurrency(st *stamps) (*concurrencyInfo, error) {
	submit, err := submitSpan(st.submitted)
	if err != nil {
		return nil, fmt.Errorf("submit_ms: %w", err)
	}
	slices.Sort(st.submitted)
	slices.Sort(st.started)
	slices.Sort(st.finished)
	return &concurrencyInfo{
		PeakRunning:  sweepPeak(st.started, st.finished),
		PeakInFlight: sweepPeak(st.submitted, st.finished),
		SubmitMs:     durationMs(submit),
	}, nil
}
