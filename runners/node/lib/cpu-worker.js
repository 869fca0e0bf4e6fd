'use strict';
// worker_threads side of the cpu workloads: one worker of the pool. It signals "ready" once loaded,
// then handles one task index per message: stamps `started` first, runs the task body, stamps
// `finished` last, and posts both stamps back (process.hrtime.bigint() is the process-wide monotonic
// clock, so they compare with the main thread's `submitted`). The task body, per workload:
//   cpu:      builds payload_i * R and hashes it with sha256 (native code);
//   cpu-loop: builds payload_i of L bytes and hashes it with FNV-1a 32 in JavaScript.

const { parentPort, workerData } = require('node:worker_threads');
const { loopTaskHash, taskDigestHex } = require('./payload');

const { workload, payloadBytes, repeat, loopBytes } = workerData;

function failed(index, error) {
  parentPort.postMessage({
    type: 'failed',
    index,
    name: error && error.name ? String(error.name) : 'Error',
    code: error && error.code ? String(error.code) : null,
    message: error && error.message ? String(error.message) : String(error),
  });
}

function runSha256Task(index) {
  const started = process.hrtime.bigint();
  let digest;
  try {
    digest = taskDigestHex(index, payloadBytes, repeat);
  } catch (error) {
    failed(index, error);
    return;
  }
  const finished = process.hrtime.bigint();
  // Only task 0's digest is the checksum; the others stay in the worker.
  parentPort.postMessage({ type: 'done', index, started, finished, digest: index === 0 ? digest : null });
}

function runLoopTask(index) {
  const started = process.hrtime.bigint();
  let hash;
  try {
    hash = loopTaskHash(index, loopBytes);
  } catch (error) {
    failed(index, error);
    return;
  }
  const finished = process.hrtime.bigint();
  // Every task's hash goes back and is kept (lib/cpu-workload.js), so the loop cannot be optimised away.
  parentPort.postMessage({ type: 'done', index, started, finished, hash });
}

parentPort.on('message', workload === 'cpu-loop' ? runLoopTask : runSha256Task);

parentPort.postMessage({ type: 'ready' });
