'use strict';
// Preloaded (--require) by test/cpu-run.test.js to simulate a worker that cannot start: from the
// third on, creating a worker_threads Worker fails the way a thread creation refused by a pids limit
// does (ERR_WORKER_INIT_FAILED). The first two start for real and are still running at the failure.
const workerThreads = require('node:worker_threads');

const RealWorker = workerThreads.Worker;
let created = 0;

workerThreads.Worker = class WorkerThatMayNotStart extends RealWorker {
  constructor(...args) {
    created += 1;
    if (created > 2) {
      const error = new Error('Worker initialization failure: EAGAIN (test stub)');
      error.code = 'ERR_WORKER_INIT_FAILED';
      throw error;
    }
    super(...args);
  }
};
