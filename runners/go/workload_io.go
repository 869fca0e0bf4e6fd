package main

import (
	"sync"
	"time"
)

// ioWorkload: each task is a goroutine that blocks in time.Sleep(D); the Go
// scheduler parks it on a timer, so no OS thread is held while it waits.
type ioWorkload struct {
	wait time.Duration // D_ns = round(io_ms * 1e6)
	// Set by launch before the first go statement, read by every task.
	t0 time.Time
	st *stamps
	wg *sync.WaitGroup
}

func newIOWorkload(ms float64) *ioWorkload {
	return &ioWorkload{wait: waitNs(ms)}
}

// launch submits one goroutine per task without waiting for earlier ones and
// returns right after the last submission. Stamps are offsets from t0 on the
// monotonic clock, written to the task's own slot (no lock needed).
//
// `go w.task(i)` costs what a bare `go func() { ... }()` costs: the runtime's
// goroutine and one small heap object holding the call's arguments (w and i,
// 24 bytes, the size of a closure over a WaitGroup and D). Everything else a
// task touches is shared (w) or preallocated (the stamps).
func (w *ioWorkload) launch(t0 time.Time, st *stamps, wg *sync.WaitGroup) {
	w.t0, w.st, w.wg = t0, st, wg
	for i := range st.submitted {
		st.submitted[i] = time.Since(t0)
		go w.task(i)
	}
}

// task is one io task; for io, woke (the stamp right after the wait) is the
// finished stamp.
func (w *ioWorkload) task(id int) {
	w.st.started[id] = time.Since(w.t0)
	time.Sleep(w.wait)
	w.st.finished[id] = time.Since(w.t0)
	w.wg.Done()
}

func (w *ioWorkload) failure() *taskFailure { return nil }

func (w *ioWorkload) checksum() *string { return nil }

func (w *ioWorkload) waitD() (time.Duration, bool) { return w.wait, true }
