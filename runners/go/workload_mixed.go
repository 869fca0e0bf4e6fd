package main

import (
	"sync"
	"time"
)

// mixedWorkload: each task is a goroutine that waits D in time.Sleep (its
// I/O), stamps woke, then does cpu-loop's work on its own payload_i
// (fnvLoopBody: L bytes hashed with FNV-1a in a Go loop, the hash kept in a
// slice preallocated before the window). The CPU work runs in the goroutine;
// GOMAXPROCS is left at the runtime's default. Launch, the cpu-loop body, the
// recovery of a task's panic and the checksum are the cpu workload's; only
// the task differs.
type mixedWorkload struct {
	*cpuWorkload
	wait time.Duration // D_ns = round(io_ms * 1e6), as for io
}

// newMixedWorkload prepares the mixed workload; everything a task keeps (its
// hash slot) is allocated here, before the window. The woke stamps are
// preallocated with the others (newStamps).
func newMixedWorkload(cfg config, cg cgroupReader) *mixedWorkload {
	return &mixedWorkload{cpuWorkload: newCPUWorkload(cfg, cg), wait: waitNs(cfg.IOMs)}
}

// launch submits one goroutine per task without waiting for earlier ones and
// returns right after the last submission, as for io and cpu.
func (w *mixedWorkload) launch(t0 time.Time, st *stamps, wg *sync.WaitGroup) {
	w.t0, w.st, w.wg = t0, st, wg
	for i := range st.submitted {
		st.submitted[i] = time.Since(t0)
		go w.task(i)
	}
}

// task is one mixed task: started, the wait, woke, the cpu-loop work, finished.
func (w *mixedWorkload) task(id int) {
	w.st.started[id] = time.Since(w.t0)
	defer w.taskDone(id)
	time.Sleep(w.wait)
	w.st.woke[id] = time.Since(w.t0)
	w.body.run(id)
	w.st.finished[id] = time.Since(w.t0)
}

// waitD: wakeup_ms is (woke - started) - D.
func (w *mixedWorkload) waitD() (time.Duration, bool) { return w.wait, true }
