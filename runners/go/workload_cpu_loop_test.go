package main

import (
	"encoding/json"
	"fmt"
	"hash/fnv"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// fnvVectors is schema/fnv1a_vectors.json, shared by every runner.
type fnvVectors struct {
	KnownAnswers []struct {
		ASCII string `json:"ascii"`
		Hex   string `json:"hex"`
	} `json:"known_answers"`
	Vectors []struct {
		Index     int    `json:"index"`
		LoopBytes int    `json:"loop_bytes"`
		Hex       string `json:"hex"`
	} `json:"vectors"`
}

func loadFNVVectors(t *testing.T) fnvVectors {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "..", "schema", "fnv1a_vectors.json"))
	if err != nil {
		t.Fatalf("reading the FNV-1a vectors: %v", err)
	}
	var v fnvVectors
	if err := json.Unmarshal(data, &v); err != nil {
		t.Fatalf("decoding the FNV-1a vectors: %v", err)
	}
	if len(v.KnownAnswers) == 0 || len(v.Vectors) == 0 {
		t.Fatalf("the vector file has %d known answers and %d vectors", len(v.KnownAnswers), len(v.Vectors))
	}
	return v
}

// vectorFor is the shared vector of (index, loopBytes); the test fails when the file has none.
func vectorFor(t *testing.T, index, loopBytes int) string {
	t.Helper()
	for _, v := range loadFNVVectors(t).Vectors {
		if v.Index == index && v.LoopBytes == loopBytes {
			return v.Hex
		}
	}
	t.Fatalf("schema/fnv1a_vectors.json has no vector for index %d, loop_bytes %d", index, loopBytes)
	return ""
}

// stdlibFNV is hash/fnv's 32-bit FNV-1a of payload_i, built independently of payload():
// a second implementation to check the runner's own loop against.
func stdlibFNV(i, loopBytes int) uint32 {
	h := fnv.New32a()
	buf := make([]byte, 1)
	for j := 0; j < loopBytes; j++ {
		buf[0] = byte((i + j) % 256)
		h.Write(buf)
	}
	return h.Sum32()
}

var eightHex = regexp.MustCompile(`^[0-9a-f]{8}$`)

// TestFNV1aVectors replays the shared vector file through the runner's real
// hash (known answers) and its real payload + hash code (per-task vectors).
func TestFNV1aVectors(t *testing.T) {
	vectors := loadFNVVectors(t)
	for _, ka := range vectors.KnownAnswers {
		got := fnv1a32([]byte(ka.ASCII))
		if hex := fmt.Sprintf("%08x", got); hex != ka.Hex {
			t.Errorf("fnv1a32(%q) = %s, want %s", ka.ASCII, hex, ka.Hex)
		}
		ref := fnv.New32a()
		ref.Write([]byte(ka.ASCII))
		if ref.Sum32() != got {
			t.Errorf("fnv1a32(%q) = %08x, hash/fnv says %08x", ka.ASCII, got, ref.Sum32())
		}
	}
	for _, v := range vectors.Vectors {
		got := loopTask(v.Index, v.LoopBytes)
		if hex := fmt.Sprintf("%08x", got); hex != v.Hex {
			t.Errorf("task %d, loop_bytes %d: %s, want %s", v.Index, v.LoopBytes, hex, v.Hex)
		}
		body := newFNVLoopBody(v.LoopBytes, v.Index+1)
		body.run(v.Index)
		if body.hashes[v.Index] != got {
			t.Errorf("task %d: the body kept %08x, loopTask gives %08x", v.Index, body.hashes[v.Index], got)
		}
	}
}

// TestCPULoopKeepsEveryHash runs the cpu-loop tasks through the real launch
// and checks every task's kept hash against hash/fnv.
func TestCPULoopKeepsEveryHash(t *testing.T) {
	const n, l = 300, 777
	w := newCPUWorkload(config{Workload: "cpu-loop", Tasks: n, LoopBytes: l}, newCgroupReader())
	body, ok := w.body.(*fnvLoopBody)
	if !ok || len(body.hashes) != n {
		t.Fatalf("cpu-loop body = %T, want *fnvLoopBody with %d preallocated hashes", w.body, n)
	}
	st := newStamps(n, false)
	var wg sync.WaitGroup
	wg.Add(n)
	w.launch(time.Now(), st, &wg)
	wg.Wait()
	if f := w.failure(); f != nil {
		t.Fatalf("failure: %+v", f)
	}
	for i, h := range body.hashes {
		if want := stdlibFNV(i, l); h != want {
			t.Errorf("task %d kept %08x, want %08x", i, h, want)
		}
	}
	if got, want := *w.checksum(), fmt.Sprintf("%08x", stdlibFNV(0, l)); got != want {
		t.Errorf("checksum = %s, want %s", got, want)
	}
	if _, ok := w.waitD(); ok {
		t.Error("cpu-loop reports a wait D")
	}
}

// TestCPULoopRun is a real cpu-loop run with goroutines: a schema-valid
// document whose checksum is the shared vector for (0, loop_bytes).
func TestCPULoopRun(t *testing.T) {
	const n, l = 200, 16384
	res := runBenchmark(config{Workload: "cpu-loop", Approach: "goroutines", Tasks: n, LoopBytes: l,
		PayloadBytes: 64, Repeat: 10000, IOMs: 10, PoolSize: 50, Workers: 4})
	checkCommon(t, res, n)
	if res.Checksum == nil || !eightHex.MatchString(*res.Checksum) {
		t.Fatalf("checksum = %v, want 8 lowercase hex digits", show(res.Checksum))
	}
	if want := vectorFor(t, 0, l); *res.Checksum != want {
		t.Errorf("checksum = %s, want the vector %s", *res.Checksum, want)
	}
	if res.WakeupMs != nil {
		t.Errorf("wakeup_ms = %+v, want null for cpu-loop (no wait)", res.WakeupMs)
	}
	doc := decodeDocument(t, res)
	if v, ok := doc["wakeup_ms"]; !ok || v != nil {
		t.Errorf("wakeup_ms = %v (present %v), want null in a cpu-loop document", v, ok)
	}
	w := doc["workload"].(map[string]any)
	if w["kind"] != "cpu-loop" || w["tasks"] != float64(n) || w["loop_bytes"] != float64(l) {
		t.Errorf("workload = %v", w)
	}
	assertWorkloadKeys(t, w, []string{"io_ms", "payload_bytes", "repeat"}, []string{"pool_size", "workers"})
	if checks, ok := doc["checks"].(map[string]any); !ok || checks == nil {
		t.Errorf("checks = %v, want an object", doc["checks"])
	}
}

// TestBinaryCPULoop: the built runner, driven by its flags, prints one valid
// cpu-loop document with the shared vector as checksum.
func TestBinaryCPULoop(t *testing.T) {
	const l = 4097
	stdout, stderr, code := execRunner(t, "--workload", "cpu-loop", "--approach", "goroutines",
		"--tasks", "50", "--loop-bytes", strconv.Itoa(l))
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
			Kind      string `json:"kind"`
			LoopBytes int    `json:"loop_bytes"`
		} `json:"workload"`
	}
	if err := json.Unmarshal([]byte(stdout), &doc); err != nil {
		t.Fatal(err)
	}
	if want := fmt.Sprintf("%08x", stdlibFNV(0, l)); doc.Checksum != want {
		t.Errorf("checksum = %q, want %s", doc.Checksum, want)
	}
	if doc.Workload.Kind != "cpu-loop" || doc.Workload.LoopBytes != l {
		t.Errorf("workload = %+v", doc.Workload)
	}
}

// assertWorkloadKeys checks a document's workload object: the absent keys are
// not there at all (they belong to other workloads), the null ones are present
// and null (options of approaches this run did not use).
func assertWorkloadKeys(t *testing.T, w map[string]any, absent, null []string) {
	t.Helper()
	for _, key := range absent {
		if v, ok := w[key]; ok {
			t.Errorf("workload.%s = %v, want absent for %v", key, v, w["kind"])
		}
	}
	for _, key := range null {
		if v, ok := w[key]; !ok || v != nil {
			t.Errorf("workload.%s = %v (present %v), want null", key, v, ok)
		}
	}
}
