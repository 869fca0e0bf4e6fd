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
			dist, cdf := summarize(c.Samples)
			sorted := append([]float64(nil), c.Samples...)
			sort.Float64s(sorted)
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

func TestSummarizeMeanAndNoMutation(t *testing.T) {
	samples := []float64{3, 1, 2}
	dist, _ := summarize(samples)
	if dist.Mean != 2 {
		t.Errorf("mean = %v, want 2", dist.Mean)
	}
	if samples[0] != 3 || samples[1] != 1 || samples[2] != 2 {
		t.Errorf("summarize reordered its input: %v", samples)
	}
}

func TestDurationMsKeepsSubMillisecond(t *testing.T) {
	if got := durationMs(10*time.Millisecond + 123456*time.Nanosecond); got != 10.123456 {
		t.Errorf("durationMs = %v, want 10.123456", got)
	}
}
