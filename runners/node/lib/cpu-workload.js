'use strict';
// cpu workloads, approach "worker_threads": a pool of W workers (lib/cpu-worker.js), each hashing
// sha256(payload_i * R) (cpu) or the FNV-1a 32 of payload_i in JavaScript (cpu-loop); tasks are dealt
// to workers as they become free. Both workloads run through the same pool, start-up and stamps; only
// the task body in the worker differs.
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
//
// The mixed workload's async-workers approach (lib/mixed-workload.js) uses the same pool, started the
// same way, through open()/submit(): each task submits itself after its own wait, in any order, and
// awaits its hash; tasks that find no idle worker wait in a FIFO backlog.

const path = require('node:path');
const { Worker } = require('node:worker_threads');
const { hex32 } = require('./payload');

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
    // open()/submit() only (tasks submitted one at a time, in any order):
    this.idle = null;
    this.backlog = null;
    this.backlogHead = 0;
    this.backlogTail = 0;
    this.resolvers = null;
  }

  /** Create the workers and resolve once each has signalled ready; reject on the first failure. */
  start() {
    return new Promise((resolve, reject) => {
      let ready = 0;
      this.onFailure = reject;
      this.onMessage = (worker, message) => {
        if (message && message.type === 'ready') {
          ready += 1;
          if (ready === this.size) {
            // The start phase is over: a failure from now on is kept for the next phase.
            this.onMessage = null;
            this.onFailure = null;
            resolve();
          }
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
   * Run tasks 0..n-1 (see the header for the submission rule). Resolves to { checksum } once all
   * completed: task 0's sha256 (cpu) or task 0's FNV-1a 32 as 8 hex digits (cpu-loop). With `hashes`
   * (cpu-loop: a Uint32Array of n, allocated before the window), every task's hash is kept there.
   */
  run(n, stamps, afterLastSubmission, hashes = null) {
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
          if (hashes !== null) {
            hashes[message.index] = message.hash;
            if (message.index === 0) checksum = hex32(message.hash);
          } else if (message.index === 0) {
            checksum = message.digest;
          }
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

  /**
   * Open the pool for tasks submitted one at a time, in any order, by submit() (mixed, async-workers:
   * each task after its own wait). `n` bounds the task indices. Called before the window: the backlog
   * (a FIFO of task indices waiting for a worker) and the per-task resolver slots are allocated here.
   * Returns a promise that never resolves and rejects on the pool's first failure (a worker lost, a
   * task that failed); it is marked handled, so the caller may attach to it later.
   */
  open(n) {
    this.idle = this.workers.slice().reverse(); // pop() hands out worker 0 first
    this.backlog = new Int32Array(n);
    this.backlogHead = 0;
    this.backlogTail = 0;
    this.resolvers = new Array(n).fill(null);
    const failed = new Promise((resolve, reject) => {
      if (this.pendingFailure !== null) {
        reject(this.pendingFailure);
        return;
      }
      this.onFailure = reject;
      this.onMessage = (worker, message) => {
        if (message.type === 'done') {
          const settle = this.resolvers[message.index];
          this.resolvers[message.index] = null;
          if (this.backlogHead < this.backlogTail) {
            worker.postMessage(this.backlog[this.backlogHead]);
            this.backlogHead += 1;
          } else {
            this.idle.push(worker);
          }
          settle(message.hash);
        } else if (message.type === 'failed') {
          this.fail(new TaskFailure(`task ${message.index}: ${message.message}`, message.name, message.code));
        }
      };
    });
    failed.catch(() => {});
    return failed;
  }

  /**
   * Submit task `index` to an opened pool: posted at once to an idle worker, otherwise queued until a
   * worker reports back. Resolves to the worker's result (cpu-loop: the task's FNV-1a 32). After a
   * failure, once the pool is closing, it never settles: the run has already been rejected.
   */
  submit(index) {
    return new Promise((resolve) => {
      if (this.closing) return;
      this.resolvers[index] = resolve;
      const worker = this.idle.pop();
      if (worker !== undefined) {
        worker.postMessage(index);
      } else {
        this.backlog[this.backlogTail] = index;
        this.backlogTail += 1;
      }
    });
  }

  async terminate() {
    this.closing = true;
    this.onMessage = null;
    this.onFailure = null;
    this.resolvers = null;
    this.backlog = null;
    await Promise.allSettled(this.workers.map((worker) => worker.terminate()));
    this.workers = [];
  }
}

function createCpuWorkload(options) {
  const loop = options.workload === 'cpu-loop';
  const pool = new WorkerPool(options.workers, loop
    ? { workload: 'cpu-loop', loopBytes: options.loopBytes }
    : { workload: 'cpu', payloadBytes: options.payloadBytes, repeat: options.repeat });
  // cpu-loop keeps each task's result (runners/README.md); allocated here, before the baseline, like
  // the stamp arrays.
  const hashes = loop ? new Uint32Array(options.tasks) : null;
  return {
    name: 'worker_threads',
    prepare: () => pool.start(),
    run: (stamps, afterLastSubmission) => pool.run(options.tasks, stamps, afterLastSubmission, hashes),
    close: () => pool.terminate(),
  };
}

module.exports = { TaskFailure, WorkerPool, createCpuWorkload };
