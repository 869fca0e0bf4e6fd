'use strict';
// io workload, approach "async": N async functions, each awaiting a Promise around a plain
// setTimeout(resolve, D), all submitted without waiting for earlier ones, then Promise.all: the
// article's Node benchmark, without its performance.now()/heap-delta shortcuts.
//
// The task is what a user writes, plus its two stamps. The timer is not corrected: libuv anchors a
// timer to its loop clock, which counts whole milliseconds, so setTimeout(D) may call back up to
// ~1 ms before D has passed on the monotonic clock. That is the runtime's behaviour, and it is what
// is measured; the runner reports it as wakeup_ms (runners/README.md, "Wake-up error").
//
// Per task the runner adds nothing a bare program of the same shape would not allocate, besides its
// stamps (BigUint64Arrays allocated before the baseline): the `pending` array is the one Promise.all
// needs, allocated before the window too.

// process.hrtime.bigint does not use `this` (Node 18 and 20): called as a plain function, a stamp
// takes one register fewer in every suspended task than hrtime.bigint() would (8 bytes per task).
const nowNs = process.hrtime.bigint;

function createIoWorkload(options) {
  const tasks = options.tasks;
  const ioMs = options.ioMs;
  let pending = null;

  return {
    name: 'async',

    // Nothing to start for the event loop; allocate the promise slots outside the window.
    async prepare() {
      pending = new Array(tasks).fill(null);
    },

    /**
     * Run the window. `stamps` holds BigUint64Arrays submitted/started/finished (hrtime ns).
     * `afterLastSubmission` is called once, right after the last task was submitted.
     * Resolves to { checksum: null } when every task finished.
     */
    run(stamps, afterLastSubmission) {
      const { submitted, started, finished } = stamps;

      async function ioTask(index) {
        started[index] = nowNs();
        await new Promise((resolve) => {
          setTimeout(resolve, ioMs);
        });
        finished[index] = nowNs();
      }

      for (let index = 0; index < tasks; index += 1) {
        submitted[index] = nowNs();
        pending[index] = ioTask(index);
      }
      afterLastSubmission();
      return Promise.all(pending).then(() => ({ checksum: null }));
    },

    async close() {
      pending = null;
    },
  };
}

module.exports = { createIoWorkload };
