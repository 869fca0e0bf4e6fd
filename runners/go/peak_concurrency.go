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
// least 1. Shared vectors: schema/concurrency_vectors.json.
func peakOverlap(begins, ends []time.Duration) (int, error) {
	if len(begins) != len(ends) {
		return 0, fmt.Errorf("%d begins but %d ends", len(begins), len(ends))
	}
	for i := range begins {
		if ends[i] < begins[i] {
			return 0, fmt.Errorf("interval %d ends before it begins (%d < %d)", i, ends[i], begins[i])
		}
	}
	n := len(begins)
	if n == 0 {
		return 0, nil
	}
	sortedBegins, sortedEnds := slices.Clone(begins), slices.Clone(ends)
	slices.Sort(sortedBegins)
	slices.Sort(sortedEnds)
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
	return max(peak, 1), nil
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

// measuredConcurrency is the concurrency block of an ok document.
func measuredConcurrency(st *stamps) (*concurrencyInfo, error) {
	running, err := peakOverlap(st.started, st.finished)
	if err != nil {
		return nil, fmt.Errorf("peak_running: %w", err)
	}
	inFlight, err := peakOverlap(st.submitted, st.finished)
	if err != nil {
		return nil, fmt.Errorf("peak_in_flight: %w", err)
	}
	submit, err := submitSpan(st.submitted)
	if err != nil {
		return nil, fmt.Errorf("submit_ms: %w", err)
	}
	return &concurrencyInfo{PeakRunning: running, PeakInFlight: inFlight, SubmitMs: durationMs(submit)}, nil
}
