'use strict';
// cpu workload, approach "worker_threads": a pool of W workers (lib/cpu-worker.js), each hashing
// sha256(payload_i * R); tasks are dealt to workers as they become free.
//
// Pool start-up is NOT in the timed window: prepare() creates the W workers and waits until every
// one has posted "ready" (isolate, module loading and thread creation done) before the runner
// resets the peak-RSS mark and opens the window. Thread start-up is a one-off cost of the pool, not
// task latency -- the Python multiprocessing runner likewise starts its Pool before the window.
//
// Submission: the benchmark asks for all N tasks at once, as Python's Pool.apply_async does.
// Task i is stamped `submitted` just before it is handed to the pool: posted at once to an idle
// worker (the first W tasks), otherwise queued in the main thread until a worker reports back.
// end_to_end therefore includes the wait in the pool's queue, as the schema says it does
// ("from submission ... to its completion; includes queueing"), and service is the worker's own
// started..finished.

const path = require('node:path');
const { Worker } = require('node:worker_threads');

const WORKER_FILE = path.join(__dirname, 'cpu-worker.js');

class TaskFailure extends Error {
  constructor(message, name, code) {
    super(message);
    this.name = name || 'Error';
    if (code) this.code = code;
  }
}

class WorkerPool {
  constructor(size, workerData) {
    this.size = size;
    this.workerData = workerData;
    this.workers = [];
    this.closing = false;
    this.onMessage = null; // set while a phase (start or run) is active
    this.onFailure = null;
    this.pendingFailure = null; // a failure seen between phases, reported by the next phase
  }

  /** Create the workers and resolve once each has signalled ready; reject on the first failure. */
  start() {
    return new Promise((resolve, reject) => {
      let ready = 0;
      this.onFailure = reject;
      this.onMessage = (worker, message) => {
        if (message && message.type === 'ready') {
          ready += 1;
          if (ready === this.size) resolve();
        }
      };
      try {
        for (let i = 0; i < this.size; i += 1) this.workers.push(this.spawn());
      } catch (error) {
        reject(error);
      }
    });
  }

  spawn() {
    // stdout: true keeps anything a worker might print off the runner's stdout (JSON only there).
    const worker = new Worker(WORKER_FILE, { workerData: this.workerData, stdout: true, stderr: false });
    worker.stdout.on('data', (chunk) => process.stderr.write(chunk));
    worker.on('message', (message) => {
      if (this.onMessage !== null) this.onMessage(worker, message);
    });
    worker.on('error', (error) => this.fail(error));
    worker.on('messageerror', (error) => this.fail(error));
    worker.on('exit', (code) => {
      if (!this.closing) this.fail(new Error(`worker thread exited unexpectedly with code ${code}`));
    });
    return worker;
  }

  fail(error) {
    if (this.onFailure !== null) {
      const reject = this.onFailure;
      this.onFailure = null;
      this.onMessage = null;
      reject(error);
    } else if (this.pendingFailure === null && !this.closing) {
      this.pendingFailure = error;
    }
  }

  /**
   * Run tasks 0..n-1 (see the header for the submission rule). Resolves to { checksum } (task 0's
   * sha256) once all completed.
   */
  run(n, stamps, afterLastSubmission) {
    const { submitted, started, finished } = stamps;
    return new Promise((resolve, reject) => {
      if (this.pendingFailure !== null) {
        reject(this.pendingFailure);
        return;
      }
      const idle = this.workers.slice().reverse(); // pop() hands out worker 0 first
      let nextToPost = 0; // tasks below this index were posted to a worker
      let submittedCount = 0; // tasks below this index were submitted
      let completed = 0;
      let checksum = null;
      this.onFailure = reject;
      this.onMessage = (worker, message) => {
        if (message.type === 'done') {
          started[message.index] = message.started;
          finished[message.index] = message.finished;
          if (message.index === 0) checksum = message.digest;
          completed += 1;
          if (completed === n) {
            this.onMessage = null;
            this.onFailure = null;
            resolve({ checksum });
          } else if (nextToPost < submittedCount) {
            worker.postMessage(nextToPost);
            nextToPost += 1;
          } else {
            idle.push(worker);
          }
        } else if (message.type === 'failed') {
          this.fail(new TaskFailure(`task ${message.index}: ${message.message}`, message.name, message.code));
        }
      };
      for (let index = 0; index < n; index += 1) {
        submitted[index] = process.hrtime.bigint();
        submittedCount = index + 1;
        if (idle.length > 0) {
          idle.pop().postMessage(index);
          nextToPost = index + 1;
        }
      }
      afterLastSubmission();
    });
  }

  async terminate() {
    this.closing = true;
    this.onMessage = null;
    this.onFailure = null;
    await Promise.allSettled(this.workers.map((worker) => worker.terminate()));
    this.workers = [];
  }
}

function createCpuWorkload(options) {
  const pool = new WorkerPool(options.workers, {
    payloadBytes: options.payloadBytes,
    repeat: options.repeat,
  });
  return {
    name: 'worker_threads',
    prepare: () => pool.start(),
    run: (stamps, afterLastSubmission) => pool.run(options.tasks, stamps, afterLastSubmission),
    close: () => pool.terminate(),
    notes: () => [],
  };
}

module.exports = { TaskFailure, WorkerPool, createCpuWorkload };
