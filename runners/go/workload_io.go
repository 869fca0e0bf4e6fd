package main

import (
	"sync"
	"time"
)

// ioWorkload: each task is a goroutine that blocks in time.Sleep(D); the Go
// scheduler parks it on a timer, so no OS thread is held while it waits.
type ioWorkload struct {
	wait time.Duration
}

func newIOWorkload(ms float64) *ioWorkload {
	return &ioWorkload{wait: time.Duration(ms * float64(time.Millisecond))}
}

// launch submits one goroutine per task without waiting for earlier ones and
// returns right after the last submission. Stamps are offsets from t0 on the
// monotonic clock, written to the task's own slot (no lock needed).
func (w *ioWorkload) launch(t0 time.Time, st *stamps, wg *sync.WaitGroup) {
	wait := w.wait
	for i := range st.submitted {
		st.submitted[i] = time.Since(t0)
		go func(id int) {
			st.started[id] = time.Since(t0)
			time.Sleep(wait)
			st.finished[id] = time.Since(t0)
			wg.Done()
		}(i)
	}
}

func (w *ioWorkload) failure() *taskFailure { return nil }

func (w *ioWorkload) checksum() *string { return nil }
