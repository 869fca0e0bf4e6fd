package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"math"
	"os"
	"strings"
	"testing"
)

// checkCommon asserts what holds for every ok run, whatever the machine.
func checkCommon(t *testing.T, res *result, n int) {
	t.Helper()
	if res.Status != statusOK || res.Error != nil {
		t.Fatalf("status = %q, error = %+v", res.Status, res.Error)
	}
	if res.TotalMs == nil || *res.TotalMs <= 0 || res.ThroughputPerS == nil || *res.ThroughputPerS <= 0 {
		t.Fatalf("total_ms / throughput missing or not positive: %v %v", res.TotalMs, res.ThroughputPerS)
	}
	lat := res.LatencyMs
	if lat == nil || len(lat.CDF.Service) != 101 || len(lat.CDF.EndToEnd) != 101 {
		t.Fatalf("latency missing or cdf not 101 points: %+v", lat)
	}
	for p := 0; p <= 100; p++ {
		// end_to_end_i >= service_i for every task, so every order statistic too.
		if lat.CDF.EndToEnd[p] < lat.CDF.Service[p] {
			t.Errorf("cdf p%d: end_to_end %v < service %v", p, lat.CDF.EndToEnd[p], lat.CDF.Service[p])
		}
		if p > 0 && lat.CDF.Service[p] < lat.CDF.Service[p-1] {
			t.Errorf("service cdf not monotonic at p%d", p)
		}
	}
	// The window contains every task's submission and completion.
	if lat.EndToEnd.Max > *res.TotalMs {
		t.Errorf("end_to_end max %v > total_ms %v", lat.EndToEnd.Max, *res.TotalMs)
	}
	if got := float64(n) / (*res.TotalMs / 1000); math.Abs(got-*res.ThroughputPerS) > 1e-6*got {
		t.Errorf("throughput %v, want %v", *res.ThroughputPerS, got)
	}
	mem := res.Memory
	if mem == nil || mem.BaselineRSSBytes <= 0 || mem.PeakRSSBytes < mem.BaselineRSSBytes {
		t.Fatalf("memory: want peak_rss >= baseline_rss > 0, got %+v", mem)
	}
	if want := float64(mem.PeakRSSBytes-mem.BaselineRSSBytes) / float64(n); mem.PerTaskBytes != want {
		t.Errorf("per_task_bytes = %v, want %v", mem.PerTaskBytes, want)
	}
	if mem.Runtime.Sys == 0 || mem.Runtime.NumGoroutine < 1 {
		t.Errorf("runtime memstats look empty: %+v", mem.Runtime)
	}
	cpu := res.CPU
	if cpu == nil || cpu.UserS+cpu.SystemS <= 0 || cpu.PeakThreads < 1 {
		t.Fatalf("cpu: want user+system > 0 and peak_threads >= 1, got %+v", cpu)
	}
	// Every task ran, and a running task is in flight: 1 <= running <= in flight <= N.
	if c := res.Concurrency; c == nil || c.PeakRunning < 1 || c.PeakRunning > c.PeakInFlight || c.PeakInFlight > n {
		t.Errorf("concurrency: want 1 <= peak_running <= peak_in_flight <= %d, got %+v", n, c)
	}
	// The last submission is inside the window: 0 <= submit_ms <= total_ms.
	if c := res.Concurrency; c != nil && (c.SubmitMs < 0 || c.SubmitMs > *res.TotalMs) {
		t.Errorf("submit_ms %v not within [0, total_ms %v]", c.SubmitMs, *res.TotalMs)
	}
	if res.StartedAt == nil || res.Runtime.Name != "go" || res.Environment.CPUCount < 1 || res.Environment.Parallelism < 1 {
		t.Errorf("started_at/runtime/environment incomplete: %v %+v %+v", res.StartedAt, res.Runtime, res.Environment)
	}
	// No worker processes: the sum is the runner's own peak.
	if p := mem.Processes; p.Count != 1 || p.PeakRSSSumBytes != mem.PeakRSSBytes {
		t.Errorf("memory.processes = %+v, want count 1 and the own peak %d", p, mem.PeakRSSBytes)
	}
	// The own cgroup's usage before the window is there exactly when its peak is.
	if (mem.CgroupBaselineBytes == nil) != (mem.CgroupPeakBytes == nil) {
		t.Errorf("cgroup_baseline_bytes %v but cgroup_peak_bytes %v", show(mem.CgroupBaselineBytes), show(mem.CgroupPeakBytes))
	}
	// Whole-process CPU since start-up covers the window's CPU.
	if res.Checks == nil || res.Checks.ProcessCPUS == nil || *res.Checks.ProcessCPUS < cpu.UserS+cpu.SystemS {
		t.Errorf("checks = %+v, want process_cpu_s >= window user+system %v", res.Checks, cpu.UserS+cpu.SystemS)
	}
	out, err := encodeResult(res)
	if err != nil {
		t.Fatal(err)
	}
	assertSchemaValid(t, out)
}

// TestIORun is the article's io run: N=1000 goroutines sleeping D=10ms.
func TestIORun(t *testing.T) {
	const n, d = 1000, 10.0
	res := runBenchmark(config{Workload: "io", Approach: "goroutines", Tasks: n, IOMs: d})
	checkCommon(t, res, n)
	lat := res.LatencyMs
	// time.Sleep never returns early, so no service time is below D, and no wake-up is early.
	if lat.CDF.Service[0] < d || lat.Service.P50 < d {
		t.Errorf("service min %v / p50 %v below io_ms %v", lat.CDF.Service[0], lat.Service.P50, d)
	}
	w := res.WakeupMs
	if w == nil || w.EarlyTasks != 0 || w.Earliest < 0 || w.Earliest > w.P50 || w.P50 > w.P99 || w.P99 > w.Latest {
		t.Fatalf("wakeup_ms = %+v, want no early task and earliest >= 0 <= p50 <= p99 <= latest", w)
	}
	// For io, woke is the finished stamp: the wake-up error is the service time minus D.
	if math.Abs(w.Latest-(lat.Service.Max-d)) > 1e-9 || math.Abs(w.Earliest-(lat.CDF.Service[0]-d)) > 1e-9 {
		t.Errorf("wakeup_ms %+v disagrees with service min %v / max %v - D", w, lat.CDF.Service[0], lat.Service.Max)
	}
	// Concurrent, not sequential: far below N*D (generous for a noisy 2-core box).
	if limit := n * d / 10; *res.TotalMs >= limit {
		t.Errorf("total_ms %v >= %v: tasks did not wait concurrently", *res.TotalMs, limit)
	}
	if res.Checksum != nil {
		t.Errorf("checksum = %q, want null for io", *res.Checksum)
	}
	if res.Workload.IOMs == nil || *res.Workload.IOMs != d || res.Workload.Repeat != nil || res.Workload.PayloadBytes != nil {
		t.Errorf("workload = %+v", res.Workload)
	}
	if res.Memory.Runtime.NumGoroutine < 1 {
		t.Errorf("NumGoroutine = %d", res.Memory.Runtime.NumGoroutine)
	}
}

// streamedChecksum computes sha256(payload_i * R) without building the input,
// independently of taskInput/bytes.Repeat.
func streamedChecksum(i, payloadBytes, repeat int) string {
	payload := make([]byte, payloadBytes)
	for j := range payload {
		payload[j] = byte((i + j) % 256)
	}
	h := sha256.New()
	for r := 0; r < repeat; r++ {
		h.Write(payload)
	}
	return hex.EncodeToString(h.Sum(nil))
}

func TestCPURunChecksum(t *testing.T) {
	const n, b, r = 50, 64, 1000
	res := runBenchmark(config{Workload: "cpu", Approach: "goroutines", Tasks: n, PayloadBytes: b, Repeat: r})
	checkCommon(t, res, n)
	if res.Checksum == nil {
		t.Fatal("checksum is null for cpu")
	}
	if want := streamedChecksum(0, b, r); *res.Checksum != want {
		t.Errorf("checksum = %s, want %s", *res.Checksum, want)
	}
	if res.Workload.IOMs != nil || res.Workload.PayloadBytes == nil || *res.Workload.Repeat != r {
		t.Errorf("workload = %+v", res.Workload)
	}
	if res.WakeupMs != nil {
		t.Errorf("wakeup_ms = %+v, want null for cpu (no wait)", res.WakeupMs)
	}
	doc := decodeDocument(t, res)
	if v, ok := doc["wakeup_ms"]; !ok || v != nil {
		t.Errorf("wakeup_ms = %v (present %v), want null in a cpu document", v, ok)
	}
}

// decodeDocument encodes res as the runner prints it and decodes it back.
func decodeDocument(t *testing.T, res *result) map[string]any {
	t.Helper()
	out, err := encodeResult(res)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(out, &doc); err != nil {
		t.Fatal(err)
	}
	return doc
}

// TestTaskInputWraps checks byte j = (i + j) % 256 past the 256 boundary.
func TestTaskInputWraps(t *testing.T) {
	for _, i := range []int{1, 200, 999} {
		sum := hashTask(i, 300, 3)
		if got, want := hex.EncodeToString(sum[:]), streamedChecksum(i, 300, 3); got != want {
			t.Errorf("task %d: %s, want %s", i, got, want)
		}
	}
}

// TestTaskPanicIsStatusError: an impossible payload*repeat makes bytes.Repeat
// panic inside the tasks; the runner must print an error document, exit 1.
func TestTaskPanicIsStatusError(t *testing.T) {
	args := []string{"--approach", "goroutines", "--workload", "cpu", "--tasks", "3",
		"--payload-bytes", "2", "--repeat", "4611686018427387904"}
	var stdout, stderr bytes.Buffer
	if code := realMain(args, &stdout, &stderr); code != exitRunFailed {
		t.Fatalf("exit code = %d, want %d (stderr %q)", code, exitRunFailed, stderr.String())
	}
	var doc map[string]any
	if err := json.Unmarshal(stdout.Bytes(), &doc); err != nil {
		t.Fatalf("stdout is not one JSON document: %v: %q", err, stdout.String())
	}
	errObj, _ := doc["error"].(map[string]any)
	if doc["status"] != "error" || errObj == nil || errObj["kind"] != "internal" ||
		!strings.Contains(errObj["message"].(string), "panicked") {
		t.Errorf("document = %v", doc)
	}
	for _, key := range []string{"total_ms", "latency_ms", "memory", "cpu", "checksum"} {
		if v, ok := doc[key]; !ok || v != nil {
			t.Errorf("%s = %v, want null", key, v)
		}
	}
	for _, key := range []string{"concurrency", "wakeup_ms", "checks"} {
		if v, ok := doc[key]; ok {
			t.Errorf("%s = %v, want absent from an error document", key, v)
		}
	}
	assertSchemaValid(t, stdout.Bytes())
	// error.at_failure: read when the first panic was recovered, from this process.
	at, _ := errObj["at_failure"].(map[string]any)
	if at == nil {
		t.Fatalf("error.at_failure missing: %v", errObj)
	}
	if _, err := os.Stat("/proc/self/status"); err == nil {
		for _, key := range []string{"threads", "memory_maps", "rss_bytes"} {
			if n, ok := at[key].(float64); !ok || n < 1 {
				t.Errorf("at_failure.%s = %v, want >= 1", key, at[key])
			}
		}
		limits := at["limits"].(map[string]any)
		for _, key := range []string{"pid_max", "threads_max", "max_map_count"} {
			if n, ok := limits[key].(float64); !ok || n < 1 {
				t.Errorf("at_failure.limits.%s = %v, want >= 1", key, limits[key])
			}
		}
	}
}

// TestResultNulls checks the fields the schema wants as explicit nulls.
func TestResultNulls(t *testing.T) {
	res := runBenchmark(config{Workload: "io", Approach: "goroutines", Tasks: 3, IOMs: 1})
	out, err := encodeResult(res)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasSuffix(out, []byte("\n")) || bytes.Count(out, []byte("\n")) != 1 {
		t.Errorf("document is not one line + newline")
	}
	var doc map[string]any
	if err := json.Unmarshal(out, &doc); err != nil {
		t.Fatal(err)
	}
	w := doc["workload"].(map[string]any)
	for _, key := range []string{"pool_size", "workers"} {
		if v, ok := w[key]; !ok || v != nil {
			t.Errorf("workload.%s = %v (present %v), want null", key, v, ok)
		}
	}
	if _, ok := w["repeat"]; ok {
		t.Errorf("workload.repeat present for io")
	}
	if v, ok := doc["checksum"]; !ok || v != nil {
		t.Errorf("checksum = %v (present %v), want null", v, ok)
	}
	if v, ok := doc["error"]; !ok || v != nil {
		t.Errorf("error = %v (present %v), want null", v, ok)
	}
	for _, key := range []string{"wakeup_ms", "checks", "concurrency"} {
		if v, ok := doc[key].(map[string]any); !ok || v == nil {
			t.Errorf("%s = %v, want an object in an ok io document", key, doc[key])
		}
	}
	assertSchemaValid(t, out)
}
