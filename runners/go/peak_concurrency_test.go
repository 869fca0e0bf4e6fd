package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

type concurrencyVectors struct {
	Cases []struct {
		Name      string     `json:"name"`
		Intervals [][2]int64 `json:"intervals"`
		Expected  int        `json:"expected"`
	} `json:"cases"`
}

// TestConcurrencyVectors reproduces every shared vector exactly.
func TestConcurrencyVectors(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "..", "schema", "concurrency_vectors.json"))
	if err != nil {
		t.Fatalf("reading shared vectors: %v", err)
	}
	var vec concurrencyVectors
	if err := json.Unmarshal(data, &vec); err != nil {
		t.Fatalf("decoding shared vectors: %v", err)
	}
	if len(vec.Cases) < 8 {
		t.Fatalf("only %d cases in concurrency_vectors.json", len(vec.Cases))
	}
	for _, c := range vec.Cases {
		t.Run(c.Name, func(t *testing.T) {
			begins := make([]time.Duration, len(c.Intervals))
			ends := make([]time.Duration, len(c.Intervals))
			for i, iv := range c.Intervals {
				begins[i], ends[i] = time.Duration(iv[0]), time.Duration(iv[1])
			}
			// peakOverlap sorts its arguments in place: keep the vector's order for the second pass.
			revBegins, revEnds := slices.Clone(begins), slices.Clone(ends)
			got, err := peakOverlap(begins, ends)
			if err != nil || got != c.Expected {
				t.Errorf("peakOverlap = %d, %v; want %d", got, err, c.Expected)
			}
			if !slices.IsSorted(begins) || !slices.IsSorted(ends) {
				t.Errorf("peakOverlap did not leave its arguments sorted")
			}
			// Input order does not matter.
			slices.Reverse(revBegins)
			slices.Reverse(revEnds)
			if got, err := peakOverlap(revBegins, revEnds); err != nil || got != c.Expected {
				t.Errorf("reversed input: peakOverlap = %d, %v; want %d", got, err, c.Expected)
			}
		})
	}
}

func TestPeakOverlapEdges(t *testing.T) {
	if got, err := peakOverlap(nil, nil); got != 0 || err != nil {
		t.Errorf("no intervals: %d, %v; want 0, nil", got, err)
	}
	if _, err := peakOverlap([]time.Duration{0, 5}, []time.Duration{10}); err == nil {
		t.Error("length mismatch accepted")
	}
	if _, err := peakOverlap([]time.Duration{10}, []time.Duration{9}); err == nil {
		t.Error("interval ending before it begins accepted")
	}
}

// TestMeasuredConcurrencyUsesSubmittedAndStarted: a pool of one, three tasks
// submitted at 0, 1 and 2 ns and run one after another.
func TestMeasuredConcurrencyUsesSubmittedAndStarted(t *testing.T) {
	st := &stamps{
		submitted: []time.Duration{0, 1, 2},
		started:   []time.Duration{1, 11, 21},
		finished:  []time.Duration{11, 21, 31},
	}
	if err := checkStamps(st); err != nil {
		t.Fatal(err)
	}
	got, err := measuredConcurrency(st)
	want := concurrencyInfo{PeakRunning: 1, PeakInFlight: 3, SubmitMs: 2e-6}
	if err != nil || *got != want {
		t.Errorf("measuredConcurrency = %+v, %v; want %+v", got, err, want)
	}
}

// TestCheckStampsWhilePaired: a task that finished before it started or before
// it was submitted is refused, by task, before the stamps are sorted.
func TestCheckStampsWhilePaired(t *testing.T) {
	// Sorted independently, these would look fine: only the pairing shows task 1 is wrong.
	bad := &stamps{
		submitted: []time.Duration{0, 1},
		started:   []time.Duration{1, 30},
		finished:  []time.Duration{31, 20},
	}
	if err := checkStamps(bad); err == nil {
		t.Error("a task finishing before it started accepted")
	}
	bad = &stamps{
		submitted: []time.Duration{0, 25},
		started:   []time.Duration{1, 10},
		finished:  []time.Duration{31, 20},
	}
	if err := checkStamps(bad); err == nil {
		t.Error("a task finishing before it was submitted accepted")
	}
}

// TestSubmitSpan: from the window opening (offset 0) to the last submission,
// whatever the order of the stamps; float ms, never truncated.
func TestSubmitSpan(t *testing.T) {
	got, err := submitSpan([]time.Duration{1_500_000, 2_250_001, 0})
	if err != nil || got != 2_250_001 || durationMs(got) != 2.250001 {
		t.Errorf("submitSpan = %v, %v; want 2.250001ms", got, err)
	}
	if _, err := submitSpan(nil); err == nil {
		t.Error("no submissions accepted")
	}
	if _, err := submitSpan([]time.Duration{-1, 5}); err == nil {
		t.Error("a submission before the window accepted")
	}
}
