'use strict';
// Runner bookkeeping (runners/README.md): the io task allocates, per task, no more on the JS heap
// than a bare program of the same shape (N async functions awaiting a Promise around setTimeout(D),
// then Promise.all) plus the task's index, which it keeps across its await to stamp `finished` (one
// 8-byte slot). The stamps are BigUint64Arrays outside the heap, allocated before the baseline.
// Measured in this process: live heap after a full gc, all tasks waiting, divided by N.
const test = require('node:test');
const assert = require('node:assert/strict');
const { obtainGc } = require('../lib/gc');
const { createIoWorkload } = require('../lib/io-workload');

const N = 50000;
const D = 300; // ms: long enough that no timer fires while the heap is measured (all synchronous)
const INDEX_BYTES = 8;
const SLACK_BYTES = 3; // heap accounting noise per task, far below one more 8-byte slot

const gc = obtainGc();

function heapPerTask(submitAll) {
  gc();
  const before = process.memoryUsage().heapUsed;
  const done = submitAll();
  gc();
  const perTask = (process.memoryUsage().heapUsed - before) / N;
  return { perTask, done };
}

async function bareShape() {
  async function task() {
    await new Promise((resolve) => setTimeout(resolve, D));
  }
  const pending = new Array(N).fill(null);
  const { perTask, done } = heapPerTask(() => {
    for (let i = 0; i < N; i += 1) pending[i] = task();
    return Promise.all(pending);
  });
  await done;
  return perTask;
}

async function runnerShape() {
  const workload = createIoWorkload({ tasks: N, ioMs: D });
  await workload.prepare();
  const stamps = { submitted: new BigUint64Array(N), started: new BigUint64Array(N), finished: new BigUint64Array(N) };
  const { perTask, done } = heapPerTask(() => workload.run(stamps, () => {}));
  await done;
  await workload.close();
  assert.ok(stamps.finished.every((finished, i) => finished > stamps.started[i]), 'every task ran');
  return perTask;
}

test('the io task allocates no more per task than a bare task plus its index', { skip: gc === null }, async () => {
  const bare = await bareShape();
  const runner = await runnerShape();
  assert.ok(bare > 100, `a waiting task holds a promise, a timer...: ${bare} B`);
  assert.ok(runner <= bare + INDEX_BYTES + SLACK_BYTES,
    `runner ${runner.toFixed(1)} B/task vs bare ${bare.toFixed(1)} B/task (+${INDEX_BYTES} for the index)`);
});
