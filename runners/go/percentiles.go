package main

import (
	"time"
)

// nearestRankIndex returns the 0-based index of the p-th percentile (p in
// 0..100) of n sorted samples: rank(p, n) = max(1, ceil(p*n/100)), computed in
// integers as (p*n + 99) / 100, value = sorted[rank-1].
func nearestRankIndex(p, n int) int {
	rank := (p*n + 99) / 100
	if rank < 1 {
		rank = 1
	}
	if rank > n {
		rank = n
	}
	return rank - 1
}

// percentile returns the nearest-rank p-th percentile of ascending samples.
func percentile[T sample](sorted []T, p int) T {
	return sorted[nearestRankIndex(p, len(sorted))]
}

// distribution is latency_ms.service / latency_ms.end_to_end.
type distribution struct {
	P50  float64 `json:"p50"`
	P90  float64 `json:"p90"`
	P99  float64 `json:"p99"`
	Max  float64 `json:"max"`
	Mean float64 `json:"mean"`
}

// sample is what a distribution is computed from: stamps' differences in
// integer ns (the runner) or float ms (the shared vectors).
type sample interface{ ~int64 | ~float64 }

// summarizeSorted returns the distribution and the 101-point CDF (p0..p100)
// of ascending samples, each converted to float ms by ms; it allocates only
// the CDF. sorted must not be empty.
func summarizeSorted[T sample](sorted []T, ms func(T) float64) (distribution, []float64) {
	var sum T // int64 ns: exact (N * the longest latency stays far below 2^63)
	for _, v := range sorted {
		sum += v
	}
	d := distribution{
		P50:  ms(percentile(sorted, 50)),
		P90:  ms(percentile(sorted, 90)),
		P99:  ms(percentile(sorted, 99)),
		Max:  ms(sorted[len(sorted)-1]),
		Mean: ms(sum) / float64(len(sorted)),
	}
	cdf := make([]float64, 101)
	for p := 0; p <= 100; p++ {
		cdf[p] = ms(percentile(sorted, p))
	}
	return d, cdf
}

// durationMs converts a duration to float milliseconds without truncation.
func durationMs(d time.Duration) float64 {
	return float64(d.Nanoseconds()) / 1e6
}
