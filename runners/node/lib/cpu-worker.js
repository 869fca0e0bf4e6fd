'use strict';
// worker_threads side of the cpu workload: one worker of the pool. It signals "ready" once loaded,
// then handles one task index per message: stamps `started` first, builds payload_i * R, hashes it
// with sha256, stamps `finished` last, and posts both stamps back (process.hrtime.bigint() is the
// process-wide monotonic clock, so they compare with the main thread's `submitted`).

const { parentPort, workerData } = require('node:worker_threads');
const { taskDigestHex } = require('./payload');

const { payloadBytes, repeat } = workerData;

parentPort.on('message', (index) => {
  const started = process.hrtime.bigint();
  let digest;
  try {
    digest = taskDigestHex(index, payloadBytes, repeat);
  } catch (error) {
    parentPort.postMessage({
      type: 'failed',
      index,
      name: error && error.name ? String(error.name) : 'Error',
      code: error && error.code ? String(error.code) : null,
      message: error && error.message ? String(error.message) : String(error),
    });
    return;
  }
  const finished = process.hrtime.bigint();
  // Only task 0's digest is the checksum; the others stay in the worker.
  parentPort.postMessage({ type: 'done', index, started, finished, digest: index === 0 ? digest : null });
});

parentPort.postMessage({ type: 'ready' });
