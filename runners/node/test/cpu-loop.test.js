'use strict';
// The cpu-loop workload: schema/fnv1a_vectors.json replayed through the runner's own hash and payload
// code, then real cpu-loop/worker_threads runs whose checksum must be the vector file's.
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { basePayload, fnv1a32, hex32, loopTaskHash } = require('../lib/payload');
const { validate } = require('../test-support/schema-subset');
const { REPO_ROOT, loadSchema, runJson } = require('../test-support/run-runner');

const VECTORS = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'schema', 'fnv1a_vectors.json'), 'utf8'));
const schema = loadSchema(); // result.schema.json composed with the contract

/** The vector file's hex for (index, loop_bytes); a test that needs one the file lacks fails here. */
function vectorHex(index, loopBytes) {
  const vector = VECTORS.vectors.find((v) => v.index === index && v.loop_bytes === loopBytes);
  assert.ok(vector !== undefined, `schema/fnv1a_vectors.json has no vector for index ${index}, loop_bytes ${loopBytes}`);
  return vector.hex;
}

test('the vector file has known answers and vectors', () => {
  assert.ok(VECTORS.known_answers.length > 0);
  assert.ok(VECTORS.vectors.length > 0);
});

for (const { ascii, hex } of VECTORS.known_answers) {
  test(`FNV-1a 32 known answer: ${JSON.stringify(ascii)} -> ${hex}`, () => {
    assert.equal(hex32(fnv1a32(Buffer.from(ascii, 'latin1'))), hex);
  });
}

for (const { index, loop_bytes: loopBytes, hex } of VECTORS.vectors) {
  test(`cpu-loop vector: task ${index}, ${loopBytes} bytes -> ${hex}`, () => {
    assert.equal(hex32(loopTaskHash(index, loopBytes)), hex);
    // The same through the two parts: payload_i (byte j = (i + j) % 256), then the hash.
    const payload = basePayload(index, loopBytes);
    assert.equal(payload.length, loopBytes);
    for (let j = 0; j < Math.min(loopBytes, 600); j += 1) assert.equal(payload[j], (index + j) % 256);
    assert.equal(hex32(fnv1a32(payload)), hex);
  });
}

test('fnv1a32 returns an unsigned 32-bit integer; hex32 always 8 lowercase digits', () => {
  for (const { index, loop_bytes: loopBytes } of VECTORS.vectors) {
    const hash = loopTaskHash(index, loopBytes);
    assert.ok(Number.isInteger(hash) && hash >= 0 && hash <= 0xffffffff, String(hash));
  }
  assert.equal(hex32(0), '00000000');
  assert.equal(hex32(0xabc), '00000abc');
  assert.equal(hex32(0xffffffff), 'ffffffff');
});

test('cpu-loop worker_threads run: checksum, schema, bounds', () => {
  const tasks = 60;
  const workers = 3;
  const loopBytes = 16384;
  const { status, doc, stderr } = runJson(['--workload', 'cpu-loop', '--approach', 'worker_threads',
    '--tasks', String(tasks), '--loop-bytes', String(loopBytes), '--workers', String(workers)]);
  assert.equal(status, 0, stderr);
  assert.deepEqual(validate(schema, doc), []);
  assert.equal(doc.status, 'ok');
  assert.equal(doc.language, 'node');
  assert.equal(doc.approach, 'worker_threads');
  assert.deepEqual(doc.workload,
    { kind: 'cpu-loop', tasks, loop_bytes: loopBytes, pool_size: null, workers });
  assert.equal(doc.checksum, vectorHex(0, loopBytes));
  // No wait in a cpu-loop task: no wake-up error.
  assert.equal(doc.wakeup_ms, null);
  const { service, end_to_end: endToEnd } = doc.latency_ms;
  assert.ok(service.p50 > 0);
  assert.ok(endToEnd.p50 >= service.p50 && endToEnd.max >= service.max);
  assert.ok(doc.total_ms >= endToEnd.max);
  assert.ok(doc.throughput_per_s > 0);
  assert.ok(doc.memory.peak_rss_bytes >= doc.memory.baseline_rss_bytes);
  assert.deepEqual(doc.memory.processes, { count: 1, peak_rss_sum_bytes: doc.memory.peak_rss_bytes });
  assert.ok(doc.cpu.user_s + doc.cpu.system_s > 0);
  assert.ok(doc.cpu.peak_threads >= workers + 1, `peak_threads ${doc.cpu.peak_threads}`);
  // A worker runs one task at a time: at most W running; every task ran; running tasks are in flight.
  const { peak_running: running, peak_in_flight: inFlight, submit_ms: submitMs } = doc.concurrency;
  assert.ok(running >= 1 && running <= workers, `peak_running ${running}`);
  assert.ok(running <= inFlight && inFlight <= tasks, `peak_in_flight ${inFlight}`);
  assert.ok(submitMs >= 0 && submitMs <= doc.total_ms, `0 <= submit_ms ${submitMs} <= total_ms ${doc.total_ms}`);
  assert.ok(doc.checks.process_cpu_s >= doc.cpu.user_s + doc.cpu.system_s,
    `process_cpu_s ${doc.checks.process_cpu_s} >= window ${doc.cpu.user_s + doc.cpu.system_s}`);
});

test('cpu-loop checksum follows --loop-bytes (not a constant)', () => {
  for (const loopBytes of [1, 256]) {
    const { status, doc, stderr } = runJson(['--workload', 'cpu-loop', '--approach', 'worker_threads',
      '--tasks', '2', '--loop-bytes', String(loopBytes), '--workers', '1']);
    assert.equal(status, 0, stderr);
    assert.deepEqual(validate(schema, doc), []);
    assert.equal(doc.workload.loop_bytes, loopBytes);
    assert.equal(doc.checksum, vectorHex(0, loopBytes));
  }
});

test('a cpu-loop task above the Buffer limit: status error, exit 1, schema-valid', () => {
  const { constants: { MAX_LENGTH } } = require('node:buffer');
  const { status, doc, stderr } = runJson(['--workload', 'cpu-loop', '--approach', 'worker_threads',
    '--tasks', '2', '--loop-bytes', String(MAX_LENGTH + 1), '--workers', '1']);
  assert.equal(status, 1, stderr);
  assert.deepEqual(validate(schema, doc), []);
  assert.equal(doc.status, 'error');
  assert.equal(doc.error.kind, 'resource_exhausted');
  assert.match(doc.error.message, /loop_bytes = \d+ bytes exceeds this runtime's Buffer limit/);
  assert.equal(doc.workload.loop_bytes, MAX_LENGTH + 1);
  assert.equal(doc.checksum, null);
});
