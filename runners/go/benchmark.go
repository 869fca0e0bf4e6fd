package main

import (
	"fmt"
	"runtime"
	"sync"
	"time"
)

// stamps holds per-task monotonic offsets from the window start, indexed by
// task id and preallocated before the window, so tasks write without locks.
type stamps struct {
	submitted []time.Duration // just before the go statement
	started   []time.Duration // first thing in the goroutine
	finished  []time.Duration // last thing in the goroutine
}

func newStamps(n int) *stamps {
	return &stamps{
		submitted: make([]time.Duration, n),
		started:   make([]time.Duration, n),
		finished:  make([]time.Duration, n),
	}
}

// workload is one kind of task run with goroutines.
type workload interface {
	// launch submits every task (wg.Add was done for all of them) and
	// returns right after the last submission.
	launch(t0 time.Time, st *stamps, wg *sync.WaitGroup)
	// failure is the first task failure, nil when every task completed.
	failure() *taskFailure
	// checksum is the value of result.checksum (nil for io).
	checksum() *string
}

func newWorkload(cfg config) workload {
	if cfg.Workload == "cpu" {
		return newCPUWorkload(cfg)
	}
	return newIOWorkload(cfg.IOMs)
}

// runBenchmark runs one measured window and returns the filled document.
func runBenchmark(cfg config) *result {
	res := newResult(cfg, collectEnvironment(), collectRuntime())
	w := newWorkload(cfg)
	n := cfg.Tasks
	st := newStamps(n)
	var wg sync.WaitGroup

	// --- before the window: settle the heap, reset the RSS peak, baselines.
	runtime.GC()
	hwmReset := resetPeakRSS()
	before, err := readProcStatus()
	if err != nil {
		res.fail(errKindInternal, fmt.Sprintf("cannot read %s: %v", procSelfStatus, err))
		return res
	}
	ru0 := processUsage()
	wg.Add(n)

	// --- the window: from just before the first submission to the return of
	// wg.Wait after the last task completed.
	t0 := time.Now()
	w.launch(t0, st, &wg)
	threadsPost := readThreads() // one read right after the last submission
	goroutinesPost := runtime.NumGoroutine()
	wg.Wait()
	total := time.Since(t0)

	// --- after the window.
	ru := processUsage().sub(ru0)
	after, err := readProcStatus()
	if err != nil {
		res.fail(errKindInternal, fmt.Sprintf("cannot read %s: %v", procSelfStatus, err))
		return res
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	cgroupPeak := newCgroupReader().memoryPeak()

	startedAt := t0.UTC().Format(time.RFC3339Nano)
	res.StartedAt = &startedAt
	if f := w.failure(); f != nil {
		res.fail(f.kind, f.message)
		return res
	}

	totalMs := durationMs(total)
	throughput := 0.0
	if total > 0 {
		throughput = float64(n) / total.Seconds()
	}
	concurrency, err := measuredConcurrency(st)
	if err != nil {
		res.fail(errKindInternal, err.Error())
		return res
	}
	res.TotalMs, res.ThroughputPerS = &totalMs, &throughput
	res.LatencyMs = latencies(st)
	res.Concurrency = concurrency
	res.Checksum = w.checksum()

	peakThreads := max(before.Threads, threadsPost, after.Threads)
	res.CPU = &cpuInfo{
		UserS:                  ru.user.Seconds(),
		SystemS:                ru.system.Seconds(),
		VoluntaryCtxSwitches:   max(ru.voluntary, 0),
		InvoluntaryCtxSwitches: max(ru.involunt, 0),
		PeakThreads:            max(peakThreads, 1),
	}

	mem := &memoryInfo{
		BaselineRSSBytes: before.VmRSS,
		PeakRSSBytes:     after.VmHWM,
		PerTaskBytes:     float64(after.VmHWM-before.VmRSS) / float64(n),
		HWMReset:         hwmReset,
		CgroupPeakBytes:  cgroupPeak,
		Runtime: goMemoryStats{
			HeapAlloc:    ms.HeapAlloc,
			HeapSys:      ms.HeapSys,
			StackInuse:   ms.StackInuse,
			StackSys:     ms.StackSys,
			Sys:          ms.Sys,
			NumGC:        ms.NumGC,
			NumGoroutine: goroutinesPost,
		},
	}
	if after.haveVmPeak {
		v := after.VmPeak
		mem.VMPeakBytes = &v
	}
	res.Memory = mem
	return res
}

// latencies turns the stamps into service and end-to-end distributions.
func latencies(st *stamps) *latencyInfo {
	n := len(st.submitted)
	service := make([]float64, n)
	endToEnd := make([]float64, n)
	for i := 0; i < n; i++ {
		service[i] = durationMs(st.finished[i] - st.started[i])
		endToEnd[i] = durationMs(st.finished[i] - st.submitted[i])
	}
	sd, scdf := summarize(service)
	ed, ecdf := summarize(endToEnd)
	return &latencyInfo{
		Service:  sd,
		EndToEnd: ed,
		CDF:      cdfInfo{Service: scdf, EndToEnd: ecdf},
	}
}
