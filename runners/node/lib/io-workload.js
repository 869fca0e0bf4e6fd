'use strict';
// io workload, approach "async": N async functions, each awaiting a Promise around setTimeout(D),
// all submitted without waiting for earlier ones (the article's Node benchmark, without its
// performance.now()/heap-delta shortcuts).
//
// Why a task re-arms its timer when it wakes early: Node anchors a timer to libuv's loop clock,
// which counts whole milliseconds (uv_now truncates), so setTimeout(10) can call back after only
// ~9.1 ms of hrtime (measured here: up to a quarter of 1000 tasks on Node 18). Every other runner's
// sleep waits at least D (time.sleep, asyncio.sleep, Go time.Sleep), and the contract says each task
// waits D. So the task awaits setTimeout(D) and, only if the process-wide monotonic clock says less
// than D has passed since the task started, awaits another setTimeout for the remainder (Node
// clamps a delay below 1 ms to 1 ms). The number of such top-ups is reported on stderr. A sub-ms D
// (--io-ms 0.5) therefore waits one timer tick, at least D.

const { hrtime } = process;

function createIoWorkload(options) {
  const tasks = options.tasks;
  const ioMs = options.ioMs;
  const waitNs = BigInt(Math.ceil(ioMs * 1e6));
  let pending = null;
  let topUps = 0;

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

      function waitAtLeast(deadline, resolve) {
        const remainingNs = deadline - hrtime.bigint();
        if (remainingNs <= 0n) {
          resolve();
          return;
        }
        topUps += 1;
        setTimeout(waitAtLeast, Number(remainingNs) / 1e6, deadline, resolve);
      }

      async function ioTask(index) {
        const start = hrtime.bigint();
        started[index] = start;
        const deadline = start + waitNs;
        await new Promise((resolve) => {
          setTimeout(waitAtLeast, ioMs, deadline, resolve);
        });
        finished[index] = hrtime.bigint();
      }

      for (let index = 0; index < tasks; index += 1) {
        submitted[index] = hrtime.bigint();
        pending[index] = ioTask(index);
      }
      afterLastSubmission();
      return Promise.all(pending).then(() => ({ checksum: null }));
    },

    async close() {
      pending = null;
    },

    notes() {
      return topUps === 0
        ? []
        : [`${topUps} timer(s) woke before ${ioMs} ms had passed (libuv's ms clock) and were re-armed for the remainder`];
    },
  };
}

module.exports = { createIoWorkload };
