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

// cpuWorkload: one goroutine per task; task i builds payload_i * R (payload_i
// is B bytes with byte j = (i + j) % 256) and hashes it with sha256.
// GOMAXPROCS is left at the runtime's default.
type cpuWorkload struct {
	payloadBytes int
	repeat       int
	tasks        int
	first        [sha256.Size]byte           // digest of task 0, read after wg.Wait
	failed       atomic.Pointer[taskFailure] // first task that panicked
}

// taskFailure is a panic recovered inside a task.
type taskFailure struct {
	kind    string
	message string
}

func newCPUWorkload(cfg config) *cpuWorkload {
	return &cpuWorkload{payloadBytes: cfg.PayloadBytes, repeat: cfg.Repeat, tasks: cfg.Tasks}
}

// taskInput builds payload_i * R.
func taskInput(i, payloadBytes, repeat int) []byte {
	payload := make([]byte, payloadBytes)
	for j := range payload {
		payload[j] = byte((i + j) % 256)
	}
	return bytes.Repeat(payload, repeat)
}

// hashTask is the work of task i.
func hashTask(i, payloadBytes, repeat int) [sha256.Size]byte {
	return sha256.Sum256(taskInput(i, payloadBytes, repeat))
}

// launch submits one goroutine per task and returns right after the last
// submission. A panic inside a task (e.g. bytes.Repeat overflow for an
// impossible B*R) is recovered and reported as a status error; a real
// out-of-memory is fatal in Go and cannot be reported from here.
func (w *cpuWorkload) launch(t0 time.Time, st *stamps, wg *sync.WaitGroup) {
	b, r := w.payloadBytes, w.repeat
	for i := range st.submitted {
		st.submitted[i] = time.Since(t0)
		go func(id int) {
			st.started[id] = time.Since(t0)
			defer func() {
				if p := recover(); p != nil {
					w.failed.CompareAndSwap(nil, &taskFailure{
						kind:    errKindInternal,
						message: fmt.Sprintf("task %d of %d panicked: %v", id, w.tasks, p),
					})
				}
				wg.Done()
			}()
			sum := hashTask(id, b, r)
			if id == 0 {
				w.first = sum
			}
			st.finished[id] = time.Since(t0)
		}(i)
	}
}

func (w *cpuWorkload) failure() *taskFailure { return w.failed.Load() }

// checksum is the hex sha256 of task 0's input (valid after the window).
func (w *cpuWorkload) checksum() *string {
	s := hex.EncodeToString(w.first[:])
	return &s
}
