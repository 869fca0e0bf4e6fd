package main

import (
	"math"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"sync"
	"testing"
	"time"
)

// TestCollectAtFailureCgroupAndLimits: the pids count and the pids and memory
// limits come from the own cgroup (here a fake v2 tree); the rest from this
// process and machine.
func TestCollectAtFailureCgroupAndLimits(t *testing.T) {
	root := t.TempDir()
	writeTree(t, root, map[string]string{
		"cgroup.controllers":   "cpu memory pids\n",
		"bench/r/pids.current": "17\n",
		"bench/r/pids.max":     "4096\n",
		"bench/r/memory.max":   "268435456\n",
	})
	at := collectAtFailure(cgroupReader{mountRoot: root, selfCgroup: "0::/bench/r\n"})
	if show(at.Pids) != int64(17) || show(at.Limits.PidsMax) != int64(4096) ||
		show(at.Limits.MemoryLimitBytes) != int64(268435456) {
		t.Errorf("cgroup counts/limits = %v %v %v", show(at.Pids), show(at.Limits.PidsMax), show(at.Limits.MemoryLimitBytes))
	}
	if _, err := os.Stat("/proc/self/maps"); err != nil {
		t.Skip("no /proc here")
	}
	if at.Threads == nil || *at.Threads < 1 || at.MemoryMaps == nil || *at.MemoryMaps < 1 || at.RSSBytes == nil || *at.RSSBytes < 1 {
		t.Errorf("process counts = threads %v maps %v rss %v", show(at.Threads), show(at.MemoryMaps), show(at.RSSBytes))
	}
	if at.Limits.PidMax == nil || at.Limits.ThreadsMax == nil || at.Limits.MaxMapCount == nil {
		t.Errorf("kernel limits = %+v", at.Limits)
	}

	// Unlimited pids and memory are null.
	writeTree(t, root, map[string]string{"bench/r/pids.max": "max\n", "bench/r/memory.max": "max\n"})
	at = collectAtFailure(cgroupReader{mountRoot: root, selfCgroup: "0::/bench/r\n"})
	if at.Limits.PidsMax != nil || at.Limits.MemoryLimitBytes != nil {
		t.Errorf("unlimited pids/memory = %v %v, want null", show(at.Limits.PidsMax), show(at.Limits.MemoryLimitBytes))
	}
}

func TestCountLines(t *testing.T) {
	dir := t.TempDir()
	for content, want := range map[string]int64{"": 0, "a\n": 1, "a\nb\n": 2, "a\nb": 2} {
		p := filepath.Join(dir, "f")
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		if got := countLines(p); got == nil || *got != want {
			t.Errorf("countLines(%q) = %v, want %d", content, show(got), want)
		}
	}
	if got := countLines(filepath.Join(dir, "missing")); got != nil {
		t.Errorf("missing file gave %d, want null", *got)
	}
}

func TestSwapDelta(t *testing.T) {
	before := parseVmstat([]byte("nr_free_pages 5\npswpin 10\npswpout 20\n"))
	after := parseVmstat([]byte("pswpin 13\npswpout 20\npgfault 1\n"))
	in, out := swapDelta(before, after)
	if in == nil || out == nil || *in != 3 || *out != 0 {
		t.Errorf("swap delta = %v %v, want 3 0", show(in), show(out))
	}
	if in, out := swapDelta(parseVmstat([]byte("pswpin 1\n")), after); in != nil || out != nil {
		t.Errorf("a missing counter gave %v %v, want null", show(in), show(out))
	}
}

// allocsPerTask launches n tasks with launch and returns the heap bytes and
// objects allocated per task from the first submission to the exit of the
// last task.
func allocsPerTask(n int, launch func(wg *sync.WaitGroup)) (bytes, objects float64) {
	var wg sync.WaitGroup
	wg.Add(n)
	before := runtime.NumGoroutine()
	runtime.GC()
	var a, b runtime.MemStats
	runtime.ReadMemStats(&a)
	launch(&wg)
	wg.Wait()
	// Until every task's goroutine has exited, so the next launch can reuse them all.
	for deadline := time.Now().Add(10 * time.Second); runtime.NumGoroutine() > before && time.Now().Before(deadline); {
		time.Sleep(time.Millisecond)
	}
	runtime.ReadMemStats(&b)
	return float64(b.TotalAlloc-a.TotalAlloc) / float64(n), float64(b.Mallocs-a.Mallocs) / float64(n)
}

// TestIOTasksAllocateAsBareGoroutines: per task, the io workload allocates no
// more than a bare `go func() { time.Sleep(d); wg.Done() }()`: the object
// holding the call and the sleep's timer (the stamps are preallocated, outside
// the measurement; the goroutines of an earlier launch are reused).
func TestIOTasksAllocateAsBareGoroutines(t *testing.T) {
	const n = 20000
	d := 20 * time.Millisecond
	// One P: every exited goroutine goes back to the one free list the next launch takes from.
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	bare := func(wg *sync.WaitGroup) {
		for i := 0; i < n; i++ {
			go func() {
				time.Sleep(d)
				wg.Done()
			}()
		}
	}
	w := newIOWorkload(float64(d) / 1e6)
	st := newStamps(n, false)
	runner := func(wg *sync.WaitGroup) { w.launch(time.Now(), st, wg) }
	allocsPerTask(n, bare) // first: creates the goroutines (g and stack), which later launches reuse
	// Best of three each, alternating: a goroutine that called wg.Done may not be free yet.
	bareBytes, bareObjects, runBytes, runObjects := math.Inf(1), math.Inf(1), math.Inf(1), math.Inf(1)
	for range 3 {
		b, o := allocsPerTask(n, runner)
		runBytes, runObjects = min(runBytes, b), min(runObjects, o)
		b, o = allocsPerTask(n, bare)
		bareBytes, bareObjects = min(bareBytes, b), min(bareObjects, o)
	}
	t.Logf("per task: bare %.1f B in %.2f objects, io workload %.1f B in %.2f objects", bareBytes, bareObjects, runBytes, runObjects)
	// Margins for the runtime's one-off allocations (its timer heap growing, a new g): an extra
	// object per task (the closure over t0, stamps, D and the WaitGroup of old: +1 object, +64 B)
	// fails both.
	if runObjects > bareObjects+0.5 || runBytes > bareBytes+32 {
		t.Errorf("io tasks allocate %.1f B in %.2f objects each, bare goroutines %.1f B in %.2f", runBytes, runObjects, bareBytes, bareObjects)
	}
	debug.FreeOSMemory() // leave no garbage for the scavenger to return inside a later test's window
}
