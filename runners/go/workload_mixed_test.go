package main

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"sync"
	"testing"
	"time"
)

// mixedChecksum is the expected checksum of a mixed run: the shared vector for
// (0, loopBytes) when the file has one, else hash/fnv's FNV-1a of payload_0
// (stdlibFNV, checked against the file's known answers by TestFNV1aVectors).
func mixedChecksum(t *testing.T, loopBytes int) string {
	t.Helper()
	for _, v := range loadFNVVectors(t).Vectors {
		if v.Index == 0 && v.LoopBytes == loopBytes {
			return v.Hex
		}
	}
	return fmt.Sprintf("%08x", stdlibFNV(0, loopBytes))
}

// TestMixedRun is a real mixed run with goroutines: a schema-valid document,
// task 0's FNV-1a as checksum, wakeup_ms from the woke stamps, and every
// task's service time at least its wait D (time.Sleep never returns early).
// Logical bounds only.
func TestMixedRun(t *testing.T) {
	const n, d, l = 50, 10.0, 4096
	res := runBenchmark(config{Workload: "mixed", Approach: "goroutines", Tasks: n, IOMs: d, LoopBytes: l,
		PayloadBytes: 64, Repeat: 10000, PoolSize: 50, Workers: 4})
	checkCommon(t, res, n)
	if res.Checksum == nil || !eightHex.MatchString(*res.Checksum) {
		t.Fatalf("checksum = %v, want 8 lowercase hex digits", show(res.Checksum))
	}
	if want := mixedChecksum(t, l); *res.Checksum != want {
		t.Errorf("checksum = %s, want %s", *res.Checksum, want)
	}
	lat := res.LatencyMs
	if lat.CDF.Service[0] < d {
		t.Errorf("service min %v below io_ms %v", lat.CDF.Service[0], d)
	}
	w := res.WakeupMs
	if w == nil || w.EarlyTasks != 0 || w.Earliest < 0 || w.Earliest > w.P50 || w.P50 > w.P99 || w.P99 > w.Latest {
		t.Fatalf("wakeup_ms = %+v, want no early task and 0 <= earliest <= p50 <= p99 <= latest", w)
	}
	// woke <= finished for every task: no wait is longer than that task's service time.
	if w.Latest > lat.Service.Max-d+1e-9 || w.Earliest > lat.CDF.Service[0]-d+1e-9 {
		t.Errorf("wakeup_ms %+v beyond service min %v / max %v - D", w, lat.CDF.Service[0], lat.Service.Max)
	}
	doc := decodeDocument(t, res)
	wl := doc["workload"].(map[string]any)
	if wl["kind"] != "mixed" || wl["tasks"] != float64(n) || wl["io_ms"] != d || wl["loop_bytes"] != float64(l) {
		t.Errorf("workload = %v", wl)
	}
	assertWorkloadKeys(t, wl, []string{"payload_bytes", "repeat"}, []string{"pool_size", "workers"})
	if v, ok := doc["wakeup_ms"].(map[string]any); !ok || v == nil {
		t.Errorf("wakeup_ms = %v, want an object in a mixed document", doc["wakeup_ms"])
	}
}

// TestMixedTaskStamps runs the mixed tasks through the real launch: each task
// woke at least D after it started and before it finished, and kept the
// FNV-1a of its own payload_i (checked against hash/fnv).
func TestMixedTaskStamps(t *testing.T) {
	const n, l = 40, 777
	const ioMs = 2.0
	w := newMixedWorkload(config{Workload: "mixed", Tasks: n, IOMs: ioMs, LoopBytes: l}, newCgroupReader())
	body, ok := w.body.(*fnvLoopBody)
	if !ok || len(body.hashes) != n {
		t.Fatalf("mixed body = %T, want *fnvLoopBody with %d preallocated hashes", w.body, n)
	}
	st := newStamps(n, true)
	var wg sync.WaitGroup
	wg.Add(n)
	w.launch(time.Now(), st, &wg)
	wg.Wait()
	if f := w.failure(); f != nil {
		t.Fatalf("failure: %+v", f)
	}
	d, hasWait := w.waitD()
	if !hasWait || d != waitNs(ioMs) {
		t.Fatalf("waitD = %v, %v; want %v, true", d, hasWait, waitNs(ioMs))
	}
	for i := 0; i < n; i++ {
		if st.woke[i]-st.started[i] < d || st.finished[i] < st.woke[i] {
			t.Errorf("task %d: started %v, woke %v, finished %v (D %v)", i, st.started[i], st.woke[i], st.finished[i], d)
		}
		if want := stdlibFNV(i, l); body.hashes[i] != want {
			t.Errorf("task %d kept %08x, want %08x", i, body.hashes[i], want)
		}
	}
	if err := checkStamps(st); err != nil {
		t.Error(err)
	}
	if got, want := *w.checksum(), fmt.Sprintf("%08x", stdlibFNV(0, l)); got != want {
		t.Errorf("checksum = %s, want %s", got, want)
	}
}

// TestMixedWakeupFromWoke: for mixed, wakeup_ms is (woke - started) - D, not
// the service time: two tasks with D = 10 ns that woke 1 and 3 ns late and
// then worked 100 ns.
func TestMixedWakeupFromWoke(t *testing.T) {
	st := &stamps{
		submitted: []time.Duration{0, 0},
		started:   []time.Duration{5, 7},
		woke:      []time.Duration{16, 20},
		finished:  []time.Duration{116, 120},
	}
	if err := checkStamps(st); err != nil {
		t.Fatal(err)
	}
	lat, wakeup := latencies(st, &mixedWorkload{wait: 10})
	want := wakeupInfo{EarlyTasks: 0, Earliest: 1e-6, P50: 1e-6, P99: 3e-6, Latest: 3e-6}
	if wakeup == nil || *wakeup != want {
		t.Errorf("wakeup = %+v, want %+v", wakeup, want)
	}
	if lat.Service.Max != 113e-6 || lat.CDF.Service[0] != 111e-6 {
		t.Errorf("service min %v / max %v, want 111e-6 / 113e-6", lat.CDF.Service[0], lat.Service.Max)
	}
}

// TestCheckStampsWoke: a mixed task that woke before it started or after it
// finished is refused.
func TestCheckStampsWoke(t *testing.T) {
	for _, woke := range []time.Duration{4, 121} {
		bad := &stamps{
			submitted: []time.Duration{0},
			started:   []time.Duration{5},
			woke:      []time.Duration{woke},
			finished:  []time.Duration{120},
		}
		if err := checkStamps(bad); err == nil {
			t.Errorf("woke %d outside [started 5, finished 120] accepted", woke)
		}
	}
}

// TestBinaryMixed: the built runner, driven by its flags, prints one valid
// mixed document whose checksum is the shared vector for (0, 16384).
func TestBinaryMixed(t *testing.T) {
	const l = 16384
	stdout, stderr, code := execRunner(t, "--workload", "mixed", "--approach", "goroutines",
		"--tasks", "20", "--io-ms", "1.5", "--loop-bytes", fmt.Sprint(l))
	if code != exitOK || stderr != "" {
		t.Fatalf("exit code %d, stderr %q", code, stderr)
	}
	if !strings.HasSuffix(stdout, "}\n") || strings.Count(stdout, "\n") != 1 {
		t.Errorf("stdout is not one document and a newline: %q", stdout)
	}
	assertSchemaValid(t, []byte(stdout))
	var doc struct {
		Checksum string `json:"checksum"`
		Workload struct {
			Kind      string  `json:"kind"`
			IOMs      float64 `json:"io_ms"`
			LoopBytes int     `json:"loop_bytes"`
		} `json:"workload"`
		WakeupMs *wakeupInfo `json:"wakeup_ms"`
	}
	if err := json.Unmarshal([]byte(stdout), &doc); err != nil {
		t.Fatal(err)
	}
	if want := vectorFor(t, 0, l); doc.Checksum != want {
		t.Errorf("checksum = %q, want the vector %s", doc.Checksum, want)
	}
	if doc.Workload.Kind != "mixed" || doc.Workload.IOMs != 1.5 || doc.Workload.LoopBytes != l {
		t.Errorf("workload = %+v", doc.Workload)
	}
	if doc.WakeupMs == nil || doc.WakeupMs.EarlyTasks != 0 || math.IsNaN(doc.WakeupMs.P99) {
		t.Errorf("wakeup_ms = %+v, want present with no early task", doc.WakeupMs)
	}
}
