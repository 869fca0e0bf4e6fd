'use strict';
// A real cpu/worker_threads run with small parameters; the checksum must equal sha256 computed here.
const test = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const { validate } = require('../test-support/schema-subset');
const path = require('node:path');
const { RUNNER, loadSchema, runJson } = require('../test-support/run-runner');

const WORKER_INIT_FAILS = path.join(__dirname, '..', 'test-support', 'worker-init-fails.js');

const schema = loadSchema(); // result.schema.json composed with the contract

function expectedChecksum(payloadBytes, repeat) {
  const payload = Buffer.alloc(payloadBytes);
  for (let j = 0; j < payloadBytes; j += 1) payload[j] = j % 256; // task 0: (0 + j) % 256
  const hash = crypto.createHash('sha256');
  for (let r = 0; r < repeat; r += 1) hash.update(payload);
  return hash.digest('hex');
}

test('cpu worker_threads run: checksum, schema, bounds', () => {
  const { status, doc, stderr } = runJson(['--workload', 'cpu', '--approach', 'worker_threads',
    '--tasks', '50', '--repeat', '1000', '--payload-bytes', '64', '--workers', '3']);
  assert.equal(status, 0, stderr);
  assert.deepEqual(validate(schema, doc), []);
  assert.equal(doc.status, 'ok');
  assert.deepEqual(doc.workload,
    { kind: 'cpu', tasks: 50, payload_bytes: 64, repeat: 1000, pool_size: null, workers: 3 });
  assert.equal(doc.checksum, expectedChecksum(64, 1000));
  for (const key of ['started_at', 'total_ms', 'throughput_per_s', 'latency_ms', 'memory', 'cpu',
    'concurrency', 'checksum', 'runtime', 'environment']) {
    assert.ok(Object.prototype.hasOwnProperty.call(doc, key), key);
  }
  const { service, end_to_end: endToEnd } = doc.latency_ms;
  assert.ok(service.p50 > 0);
  assert.ok(endToEnd.p50 >= service.p50 && endToEnd.max >= service.max);
  assert.ok(doc.total_ms >= endToEnd.max);
  assert.ok(doc.memory.peak_rss_bytes >= doc.memory.baseline_rss_bytes);
  assert.ok(doc.cpu.user_s + doc.cpu.system_s > 0);
  // main thread + 3 workers, all alive during the window
  assert.ok(doc.cpu.peak_threads >= 4, `peak_threads ${doc.cpu.peak_threads}`);
  // A worker runs one task at a time: at most 3 running; every task ran; running tasks are in flight.
  const { peak_running: running, peak_in_flight: inFlight } = doc.concurrency;
  assert.ok(running >= 1 && running <= 3, `peak_running ${running}`);
  assert.ok(running <= inFlight && inFlight <= 50, `peak_in_flight ${inFlight}`);
  // The last submission is inside the window.
  const submitMs = doc.concurrency.submit_ms;
  assert.ok(submitMs >= 0 && submitMs <= doc.total_ms, `0 <= submit_ms ${submitMs} <= total_ms ${doc.total_ms}`);
  // No wait in a cpu task: no wake-up error.
  assert.equal(doc.wakeup_ms, null);
  // worker_threads are threads of this one process: one VmHWM, its own.
  assert.deepEqual(doc.memory.processes, { count: 1, peak_rss_sum_bytes: doc.memory.peak_rss_bytes });
  // Whole-process CPU since start-up (the workers' threads included) covers the window's.
  assert.ok(doc.checks.process_cpu_s >= doc.cpu.user_s + doc.cpu.system_s,
    `process_cpu_s ${doc.checks.process_cpu_s} >= window ${doc.cpu.user_s + doc.cpu.system_s}`);
});

/** error.at_failure as read on Linux: counts of a live process and the kernel's limits. */
function assertAtFailure(atFailure) {
  assert.ok(atFailure !== undefined, 'error.at_failure is present');
  if (process.platform !== 'linux') return;
  assert.ok(atFailure.threads >= 2, `threads ${atFailure.threads}`);
  assert.ok(atFailure.memory_maps >= 1, `memory_maps ${atFailure.memory_maps}`);
  assert.ok(atFailure.rss_bytes > 0);
  for (const key of ['pid_max', 'threads_max', 'max_map_count']) {
    assert.ok(atFailure.limits[key] >= 1, `limits.${key} ${atFailure.limits[key]}`);
  }
}

test('checksum differs with the payload (not a constant)', () => {
  const { doc } = runJson(['--workload', 'cpu', '--approach', 'worker_threads',
    '--tasks', '2', '--repeat', '3', '--payload-bytes', '300', '--workers', '1']);
  assert.equal(doc.checksum, expectedChecksum(300, 3)); // bytes wrap at 256
  assert.notEqual(doc.checksum, expectedChecksum(64, 1000));
});

test('a task that cannot allocate its input: status error, exit 1, schema-valid', () => {
  // 1e6 * 1e5 bytes exceeds Buffer's maximum length: the worker's allocation throws RangeError.
  const { status, doc, stderr } = runJson(['--workload', 'cpu', '--approach', 'worker_threads',
    '--tasks', '2', '--payload-bytes', '1000000', '--repeat', '100000', '--workers', '1']);
  assert.equal(status, 1, stderr);
  assert.deepEqual(validate(schema, doc), []);
  assert.equal(doc.status, 'error');
  assert.ok(['resource_exhausted', 'out_of_memory'].includes(doc.error.kind), doc.error.kind);
  assert.equal(doc.error.kind, 'resource_exhausted');
  assert.match(doc.error.message, /Buffer limit/);
  assert.equal(doc.total_ms, null);
  assert.equal(Object.prototype.hasOwnProperty.call(doc, 'concurrency'), false, 'no concurrency block');
  assertAtFailure(doc.error.at_failure);
});

test('a worker that cannot start: resource_exhausted with at_failure, read before the pool is torn down', () => {
  // test-support/worker-init-fails.js: the third Worker fails as pthread_create does under a pids limit.
  const { status, doc, stderr } = runJson(['--require', WORKER_INIT_FAILS, RUNNER, '--workload', 'cpu',
    '--approach', 'worker_threads', '--tasks', '10', '--repeat', '10', '--workers', '4'], { raw: true });
  assert.equal(status, 1, stderr);
  assert.deepEqual(validate(schema, doc), []);
  assert.equal(doc.error.kind, 'resource_exhausted');
  assert.match(doc.error.message, /ERR_WORKER_INIT_FAILED/);
  assertAtFailure(doc.error.at_failure);
  if (process.platform === 'linux') {
    // The two workers that did start were still running: their threads are in the count.
    assert.ok(doc.error.at_failure.threads >= 3, `threads ${doc.error.at_failure.threads}`);
  }
});
