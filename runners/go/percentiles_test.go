package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"testing"
	"time"
)

type percentileVectors struct {
	Cases []struct {
		Name     string             `json:"name"`
		Samples  []float64          `json:"samples"`
		Expected map[string]float64 `json:"expected"`
	} `json:"cases"`
}

// TestPercentileVectors reproduces every shared vector exactly.
func TestPercentileVectors(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "..", "schema", "percentile_vectors.json"))
	if err != nil {
		t.Fatalf("reading shared vectors: %v", err)
	}
	var vec percentileVectors
	if err := json.Unmarshal(data, &vec); err != nil {
		t.Fatalf("decoding shared vectors: %v", err)
	}
	if len(vec.Cases) == 0 {
		t.Fatal("no cases in percentile_vectors.json")
	}
	for _, c := range vec.Cases {
		t.Run(c.Name, func(t *testing.T) {
			sorted := append([]float64(nil), c.Samples...)
			sort.Float64s(sorted)
			dist, cdf := summarizeSorted(sorted, func(ms float64) float64 { return ms })
			got := map[string]float64{
				"p50": dist.P50,
				"p90": dist.P90,
				"p99": dist.P99,
				"max": dist.Max,
				"min": cdf[0],
			}
			for key, want := range c.Expected {
				g, ok := got[key]
				if !ok {
					t.Fatalf("vector key %q is not produced by the runner", key)
				}
				if g != want {
					t.Errorf("%s = %v, want %v", key, g, want)
				}
			}
			if len(cdf) != 101 {
				t.Fatalf("cdf has %d points, want 101", len(cdf))
			}
			if cdf[50] != dist.P50 || cdf[90] != dist.P90 || cdf[99] != dist.P99 || cdf[100] != dist.Max {
				t.Errorf("cdf disagrees with the distribution: %v vs %+v", cdf, dist)
			}
			for p := 0; p <= 100; p++ {
				if want := percentile(sorted, p); cdf[p] != want {
					t.Errorf("cdf[%d] = %v, want %v", p, cdf[p], want)
				}
			}
		})
	}
}

func TestNearestRankIndex(t *testing.T) {
	cases := []struct{ p, n, want int }{
		{0, 1, 0}, {50, 1, 0}, {100, 1, 0},
		{0, 10, 0}, {1, 10, 0}, {10, 10, 0}, {11, 10, 1}, {50, 10, 4}, {90, 10, 8}, {99, 10, 9}, {100, 10, 9},
		{50, 101, 50}, {99, 101, 99}, {100, 101, 100},
		{50, 1000, 499}, {99, 1000, 989}, {99, 999, 989},
	}
	for _, c := range cases {
		if got := nearestRankIndex(c.p, c.n); got != c.want {
			t.Errorf("nearestRankIndex(%d, %d) = %d, want %d", c.p, c.n, got, c.want)
		}
	}
}

// TestSummarizeSortedNanoseconds: the runner's path, integer ns to float ms,
// gives the same order statistics as float ms, and an exact mean.
func TestSummarizeSortedNanoseconds(t *testing.T) {
	ns := []time.Duration{10_000_001, 10_250_000, 12_000_002}
	dist, cdf := summarizeSorted(ns, durationMs)
	floats, _ := summarizeSorted([]float64{10.000001, 10.25, 12.000002}, func(ms float64) float64 { return ms })
	if dist.P50 != floats.P50 || dist.P99 != floats.P99 || dist.Max != floats.Max || cdf[0] != 10.000001 {
		t.Errorf("ns distribution %+v (min %v) differs from the float one %+v", dist, cdf[0], floats)
	}
	if dist.Mean != 10.750001 {
		t.Errorf("mean = %v, want 10.750001", dist.Mean)
	}
}

func TestDurationMsKeepsSubMillisecond(t *testing.T) {
	if got := durationMs(10*time.Millisecond + 123456*time.Nanosecond); got != 10.123456 {
		t.Errorf("durationMs = %v, want 10.123456", got)
	}
}
