package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

type wakeupVectors struct {
	Comment any `json:"$comment"`
	Vectors []struct {
		Name      string     `json:"name"`
		IOMs      float64    `json:"io_ms"`
		StartedNs []int64    `json:"started_ns"`
		WokeNs    []int64    `json:"woke_ns"`
		Expected  wakeupInfo `json:"expected"`
	} `json:"vectors"`
}

// TestWakeupVectors replays schema/wakeup_vectors.json exactly through the
// runner's path: D from io_ms, per-task waits sorted in place, wakeupFromSorted.
func TestWakeupVectors(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "..", "schema", "wakeup_vectors.json"))
	if err != nil {
		t.Fatalf("reading shared vectors: %v", err)
	}
	var vec wakeupVectors
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields() // a key the runner does not produce fails here
	if err := dec.Decode(&vec); err != nil {
		t.Fatalf("decoding shared vectors: %v", err)
	}
	if len(vec.Vectors) < 5 {
		t.Fatalf("only %d vectors in wakeup_vectors.json", len(vec.Vectors))
	}
	for _, c := range vec.Vectors {
		t.Run(c.Name, func(t *testing.T) {
			if len(c.StartedNs) != len(c.WokeNs) || len(c.StartedNs) == 0 {
				t.Fatalf("%d started but %d woke stamps", len(c.StartedNs), len(c.WokeNs))
			}
			waits := make([]time.Duration, len(c.StartedNs))
			for i := range waits {
				waits[i] = time.Duration(c.WokeNs[i] - c.StartedNs[i])
			}
			slices.Sort(waits)
			got := wakeupFromSorted(waits, waitNs(c.IOMs))
			if *got != c.Expected {
				t.Errorf("wakeup = %+v, want %+v", *got, c.Expected)
			}
		})
	}
}

// TestWaitNs: D in ns is io_ms * 1e6 rounded, not truncated (1.001 * 1e6 is
// 1000999.9999999999 in binary), so a task never sleeps 1 ns short of D.
func TestWaitNs(t *testing.T) {
	cases := []struct {
		ms   float64
		want time.Duration
	}{{10, 10_000_000}, {0.5, 500_000}, {2.5, 2_500_000}, {1.001, 1_001_000}, {10000, 10_000_000_000}}
	for _, c := range cases {
		if got := waitNs(c.ms); got != c.want {
			t.Errorf("waitNs(%v) = %d, want %d", c.ms, got, c.want)
		}
	}
}
