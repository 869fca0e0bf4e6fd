'use strict';
// mixed workload (runners/README.md, "Workloads"): N async functions, all submitted without waiting
// for earlier ones, then Promise.all, as for io. Task i: its `started` stamp; the io task's wait
// (`await new Promise((resolve) => setTimeout(resolve, D))`); its `woke` stamp; the cpu-loop work of
// task i (payload_i of L bytes, FNV-1a 32: lib/payload.js loopTaskHash, the cpu-loop code path); its
// `finished` stamp. Per approach, where the CPU work runs:
//   async:         inline, on the main thread: it blocks the event loop, so the timers of the tasks
//                  still waiting fire late (that is the point: it shows in wakeup_ms);
//   async-workers: posted to the worker_threads pool of the cpu workloads (lib/cpu-workload.js
//                  WorkerPool, lib/cpu-worker.js's cpu-loop body), W = --workers workers started before
//                  the window, and awaited; the main thread only waits and dispatches.
// `finished` is stamped by the task itself, on the main thread, once its hash is back: service =
// finished - started covers the wait, any wait for a worker (or, inline, for the loop) and the work.
// The wake-up error is computed from (woke - started) - D (lib/stamp-statistics.js).
// Every task's hash is kept in a Uint32Array(N) allocated before the baseline (as cpu-loop keeps its
// hashes), so the loop cannot be optimised away; the checksum is task 0's, as 8 hex digits.

const { hex32, loopTaskHash } = require('./payload');

// A plain function, as in lib/io-workload.js: one register fewer per suspended task than a method call.
const nowNs = process.hrtime.bigint;

function createMixedWorkload(options) {
  const { tasks, ioMs, loopBytes } = options;
  const onWorkers = options.approach === 'async-workers';
  let pool = null;
  if (onWorkers) {
    const { WorkerPool } = require('./cpu-workload');
    pool = new WorkerPool(options.workers, { workload: 'cpu-loop', loopBytes });
  }
  const hashes = new Uint32Array(tasks);
  let pending = null;
  let poolFailed = null;

  return {
    name: options.approach,

    // Before the window: the promise slots Promise.all needs; for async-workers, the pool's workers
    // (each ready) and its backlog.
    async prepare() {
      pending = new Array(tasks).fill(null);
      if (pool !== null) {
        await pool.start();
        poolFailed = pool.open(tasks);
      }
    },

    /**
     * Run the window. `stamps` holds BigUint64Arrays submitted/started/woke/finished (hrtime ns).
     * `afterLastSubmission` is called once, right after the last task was submitted.
     * Resolves to { checksum } when every task finished.
     */
    run(stamps, afterLastSubmission) {
      const {
        submitted, started, woke, finished,
      } = stamps;

      async function inlineTask(index) {
        started[index] = nowNs();
        await new Promise((resolve) => {
          setTimeout(resolve, ioMs);
        });
        woke[index] = nowNs();
        hashes[index] = loopTaskHash(index, loopBytes);
        finished[index] = nowNs();
      }

      async function workerTask(index) {
        started[index] = nowNs();
        await new Promise((resolve) => {
          setTimeout(resolve, ioMs);
        });
        woke[index] = nowNs();
        hashes[index] = await pool.submit(index);
        finished[index] = nowNs();
      }

      const task = onWorkers ? workerTask : inlineTask;
      for (let index = 0; index < tasks; index += 1) {
        submitted[index] = nowNs();
        pending[index] = task(index);
      }
      afterLastSubmission();
      const all = Promise.all(pending).then(() => ({ checksum: hex32(hashes[0]) }));
      // A lost worker or a failed task rejects the run at once (its own task would never complete).
      return onWorkers ? Promise.race([all, poolFailed]) : all;
    },

    async close() {
      pending = null;
      if (pool !== null) await pool.terminate();
    },
  };
}

module.exports = { createMixedWorkload };
