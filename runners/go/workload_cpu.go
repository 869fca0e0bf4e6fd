package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// cpuWorkload: one goroutine per task, each running the workload's body
// (cpuBody): cpu builds payload_i * R and hashes it with sha256, cpu-loop
// builds payload_i of L bytes and hashes it with FNV-1a in a Go loop
// (workload_cpu_loop.go). Launch, stamps and failure handling are the same
// for both. GOMAXPROCS is left at the runtime's default.
type cpuWorkload struct {
	body   cpuBody
	tasks  int
	cg     cgroupReader                // for error.at_failure
	failed atomic.Pointer[taskFailure] // first task that panicked
	// Set by launch before the first go statement, read by every task.
	t0 time.Time
	st *stamps
	wg *sync.WaitGroup
}

// taskFailure is a panic recovered inside a task, with error.at_failure read
// when it was recovered (before waiting for the other tasks).
type taskFailure struct {
	kind    string
	message string
	at      *atFailure
}

// cpuBody is the work of one cpu task: build task id's input, hash it, keep
// the result. The cpu workloads differ only here.
type cpuBody interface {
	run(id int)
	// checksum is result.checksum, task 0's result (valid after the window).
	checksum() string
}

// newCPUWorkload prepares cfg.Workload ("cpu" or "cpu-loop"; mixed uses the
// cpu-loop body too, see newMixedWorkload); everything a task keeps is
// allocated here, before the window.
func newCPUWorkload(cfg config, cg cgroupReader) *cpuWorkload {
	var body cpuBody
	if cfg.Workload == "cpu-loop" || cfg.Workload == "mixed" {
		body = newFNVLoopBody(cfg.LoopBytes, cfg.Tasks)
	} else {
		body = &sha256Body{payloadBytes: cfg.PayloadBytes, repeat: cfg.Repeat}
	}
	return &cpuWorkload{body: body, tasks: cfg.Tasks, cg: cg}
}

// payload builds payload_i: size bytes with byte j = (i + j) % 256.
func payload(i, size int) []byte {
	p := make([]byte, size)
	for j := range p {
		p[j] = byte((i + j) % 256)
	}
	return p
}

// taskInput builds payload_i * R.
func taskInput(i, payloadBytes, repeat int) []byte {
	return bytes.Repeat(payload(i, payloadBytes), repeat)
}

// hashTask is the work of cpu task i.
func hashTask(i, payloadBytes, repeat int) [sha256.Size]byte {
	return sha256.Sum256(taskInput(i, payloadBytes, repeat))
}

// sha256Body is the cpu workload's task: sha256(payload_i * R).
type sha256Body struct {
	payloadBytes int
	repeat       int
	first        [sha256.Size]byte // digest of task 0, read after wg.Wait
}

func (b *sha256Body) run(id int) {
	sum := hashTask(id, b.payloadBytes, b.repeat)
	if id == 0 {
		b.first = sum
	}
}

// checksum is the hex sha256 of task 0's input.
func (b *sha256Body) checksum() string { return hex.EncodeToString(b.first[:]) }

// launch submits one goroutine per task and returns right after the last
// submission. A panic inside a task (e.g. bytes.Repeat overflow for an
// impossible B*R) is recovered and reported as a status error; a real
// out-of-memory is fatal in Go and cannot be reported from here.
func (w *cpuWorkload) launch(t0 time.Time, st *stamps, wg *sync.WaitGroup) {
	w.t0, w.st, w.wg = t0, st, wg
	for i := range st.submitted {
		st.submitted[i] = time.Since(t0)
		go w.task(i)
	}
}

// task is one cpu task: stamps around the body (building the input and hashing it).
func (w *cpuWorkload) task(id int) {
	w.st.started[id] = time.Since(w.t0)
	defer w.taskDone(id)
	w.body.run(id)
	w.st.finished[id] = time.Since(w.t0)
}

// taskDone ends task id, deferred by the task: it recovers a panic of the
// task as a taskFailure, then tells the window the task completed.
func (w *cpuWorkload) taskDone(id int) {
	if p := recover(); p != nil {
		f := &taskFailure{
			kind:    errKindInternal,
			message: fmt.Sprintf("task %d of %d panicked: %v", id, w.tasks, p),
		}
		// The first failure reads the counts now, before the window waits for the
		// other tasks (two failing at once may both read; the first swap wins).
		if w.failed.Load() == nil {
			f.at = collectAtFailure(w.cg)
			w.failed.CompareAndSwap(nil, f)
		}
	}
	w.wg.Done()
}

func (w *cpuWorkload) failure() *taskFailure { return w.failed.Load() }

func (w *cpuWorkload) waitD() (time.Duration, bool) { return 0, false }

// checksum is task 0's result (valid after the window).
func (w *cpuWorkload) checksum() *string {
	s := w.body.checksum()
	return &s
}
