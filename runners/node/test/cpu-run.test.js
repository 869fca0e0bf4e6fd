'use strict';
// A real cpu/worker_threads run with small parameters; the checksum must equal sha256 computed here.
const test = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const { validate } = require('../test-support/schema-subset');
const { loadSchema, runJson } = require('../test-support/run-runner');

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
});

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
});
