package main

import (
	"fmt"
	"runtime"
	"slices"
	"sync"
	"time"
)

// stamps holds per-task monotonic offsets from the window start, indexed by
// task id and preallocated before the window, so tasks write without locks.
type stamps struct {
	submitted []time.Duration // just before the go statement
	started   []time.Duration // first thing in the goroutine
	finished  []time.Duration // last thing in the goroutine
	// woke: right after the task's wait returned, before its CPU work. Mixed
	// only (nil otherwise): for io, woke is the finished stamp.
	woke []time.Duration
}

// newStamps preallocates the stamps of n tasks; withWoke adds the woke slice.
func newStamps(n int, withWoke bool) *stamps {
	st := &stamps{
		submitted: make([]time.Duration, n),
		started:   make([]time.Duration, n),
		finished:  make([]time.Duration, n),
	}
	if withWoke {
		st.woke = make([]time.Duration, n)
	}
	return st
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
	// waitD is each task's wait D, false for a workload without a wait
	// (wakeup_ms is then null).
	waitD() (time.Duration, bool)
}

func newWorkload(cfg config, cg cgroupReader) workload {
	switch cfg.Workload {
	case "cpu", "cpu-loop":
		return newCPUWorkload(cfg, cg)
	case "mixed":
		return newMixedWorkload(cfg, cg)
	}
	return newIOWorkload(cfg.IOMs)
}

// runBenchmark runs one measured window and returns the filled document.
//
// Memory: the per-task state is the goroutine, the runtime's object for its
// arguments, and three preallocated int64 stamps (24 bytes; four, 32 bytes,
// for mixed, which also keeps a 4-byte hash per task). After the window
// everything is computed from the stamps with one more int64 slice (the
// latencies, sorted in place) and the stamps themselves, sorted last; no
// per-task float slices.
func runBenchmark(cfg config) *result {
	res := newResult(cfg, collectEnvironment(), collectRuntime())
	cg := newCgroupReader()
	w := newWorkload(cfg, cg)
	n := cfg.Tasks
	st := newStamps(n, cfg.Workload == "mixed")
	var wg sync.WaitGroup

	// --- before the window: settle the heap, reset the RSS peak, baselines.
	runtime.GC()
	hwmReset := resetPeakRSS()
	before, err := readProcStatus()
	if err != nil {
		res.fail(errKindInternal, fmt.Sprintf("cannot read %s: %v", procSelfStatus, err), collectAtFailure(cg))
		return res
	}
	ru0 := processUsage()
	cgroupBaseline := cg.memoryUsage()
	swap0 := readSwap()
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
	swap1 := readSwap()
	ru := processUsage().sub(ru0)
	after, err := readProcStatus()
	if err != nil {
		res.fail(errKindInternal, fmt.Sprintf("cannot read %s: %v", procSelfStatus, err), collectAtFailure(cg))
		return res
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	cgroupPeak := cg.memoryPeak()

	startedAt := t0.UTC().Format(time.RFC3339Nano)
	res.StartedAt = &startedAt
	if f := w.failure(); f != nil {
		res.fail(f.kind, f.message, f.at)
		return res
	}
	if err := checkStamps(st); err != nil {
		res.fail(errKindInternal, err.Error(), collectAtFailure(cg))
		return res
	}

	totalMs := durationMs(total)
	throughput := 0.0
	if total > 0 {
		throughput = float64(n) / total.Seconds()
	}
	res.TotalMs, res.ThroughputPerS = &totalMs, &throughput
	res.LatencyMs, res.WakeupMs = latencies(st, w)
	// Last: sorts the stamps in place.
	concurrency, err := measuredConcurrency(st)
	if err != nil {
		res.fail(errKindInternal, err.Error(), collectAtFailure(cg))
		return res
	}
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

	// after holds VmHWM and the exact VmRSS of the same read after the window.
	peakRSSBytes := peakRSS(after.VmHWM, before.VmRSS, after.VmRSS)
	mem := &memoryInfo{
		BaselineRSSBytes: before.VmRSS,
		PeakRSSBytes:     peakRSSBytes,
		PerTaskBytes:     float64(peakRSSBytes-before.VmRSS) / float64(n),
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
		// No worker processes: the runner's own peak is the sum.
		Processes:           processesInfo{Count: 1, PeakRSSSumBytes: peakRSSBytes},
		CgroupBaselineBytes: cgroupBaseline,
	}
	if after.haveVmPeak {
		v := after.VmPeak
		mem.VMPeakBytes = &v
	}
	res.Memory = mem

	// Checks, read at the end: the cgroup's CPU next to the whole process's.
	swapIn, swapOut := swapDelta(swap0, swap1)
	res.Checks = &checksInfo{
		CgroupCPUS:       cg.cpuUsageSeconds(),
		ProcessCPUS:      processUsage().cpuSeconds(),
		ThrottledPeriods: cg.throttledPeriods(),
		ThrottledS:       cg.throttledSeconds(),
		SwapInPages:      swapIn,
		SwapOutPages:     swapOut,
	}
	return res
}

// latencies turns the stamps (still paired by task) into the service and
// end-to-end distributions and, for a workload with a wait, wakeup_ms. One
// int64 slice holds each latency in turn, sorted in place.
func latencies(st *stamps, w workload) (*latencyInfo, *wakeupInfo) {
	lat := make([]time.Duration, len(st.submitted))
	d, hasWait := w.waitD()
	var wakeup *wakeupInfo
	if hasWait && st.woke != nil {
		// mixed: the wait is woke - started, apart from the CPU work after it.
		for i := range lat {
			lat[i] = st.woke[i] - st.started[i]
		}
		slices.Sort(lat)
		wakeup = wakeupFromSorted(lat, d)
	}

	for i := range lat {
		lat[i] = st.finished[i] - st.started[i]
	}
	slices.Sort(lat)
	service, serviceCDF := summarizeSorted(lat, durationMs)
	if hasWait && st.woke == nil {
		wakeup = wakeupFromSorted(lat, d) // for io, woke is the finished stamp
	}

	for i := range lat {
		lat[i] = st.finished[i] - st.submitted[i]
	}
	slices.Sort(lat)
	endToEnd, endToEndCDF := summarizeSorted(lat, durationMs)
	return &latencyInfo{
		Service:  service,
		EndToEnd: endToEnd,
		CDF:      cdfInfo{Service: serviceCDF, EndToEnd: endToEndCDF},
	}, wakeup
}
