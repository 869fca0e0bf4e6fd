'use strict';
// Real mixed runs, one per approach (async: the FNV-1a inline on the main thread; async-workers: in a
// worker_threads pool), with small parameters. Only logical bounds: each task's service time contains
// its wait (started..woke), so every order statistic of the service times is at least D plus the same
// order statistic of the wake-up error; all N tasks start (synchronously, up to their first await)
// before any timer can fire, so all N overlap. The checksum is task 0's FNV-1a: the vector file's when
// it has the pair, else computed here by the vector-checked function (test/cpu-loop.test.js).
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { hex32, loopTaskHash } = require('../lib/payload');
const { validate } = require('../test-support/schema-subset');
const { REPO_ROOT, RUNNER, loadSchema, runJson } = require('../test-support/run-runner');

const VECTORS = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'schema', 'fnv1a_vectors.json'), 'utf8'));
const WORKER_INIT_FAILS = path.join(__dirname, '..', 'test-support', 'worker-init-fails.js');
const schema = loadSchema(); // result.schema.json composed with the contract

const N = 50;
const D = 10;
const LOOP_BYTES = 4096;
const WORKERS = 2;

/** Task 0's checksum: the vector file's hex when it lists (0, loopBytes), else loopTaskHash's. */
function expectedChecksum(loopBytes) {
  const vector = VECTORS.vectors.find((v) => v.index === 0 && v.loop_bytes === loopBytes);
  return vector !== undefined ? vector.hex : hex32(loopTaskHash(0, loopBytes));
}

const APPROACHES = [
  { approach: 'async', args: [], workers: null },
  { approach: 'async-workers', args: ['--workers', String(WORKERS)], workers: WORKERS },
];

for (const { approach, args, workers } of APPROACHES) {
  test(`mixed ${approach} run: checksum, schema, wake-up error, logical bounds`, () => {
    const { status, doc, stderr } = runJson(['--workload', 'mixed', '--approach', approach,
      '--tasks', String(N), '--io-ms', String(D), '--loop-bytes', String(LOOP_BYTES), ...args]);
    assert.equal(status, 0, stderr);
    assert.deepEqual(validate(schema, doc), []);
    assert.equal(doc.status, 'ok');
    assert.equal(doc.error, null);
    assert.equal(doc.language, 'node');
    assert.equal(doc.approach, approach);
    assert.deepEqual(doc.workload,
      { kind: 'mixed', tasks: N, io_ms: D, loop_bytes: LOOP_BYTES, pool_size: null, workers });
    assert.equal(doc.checksum, expectedChecksum(LOOP_BYTES));

    // Wake-up error of the waits, from (woke - started) - D.
    const wakeup = doc.wakeup_ms;
    assert.ok(wakeup !== null && typeof wakeup === 'object', 'wakeup_ms present');
    assert.ok(Number.isInteger(wakeup.early_tasks) && wakeup.early_tasks >= 0 && wakeup.early_tasks <= N);
    assert.equal(wakeup.early_tasks > 0, wakeup.earliest < 0, 'early tasks exist iff the earliest woke before D');
    assert.ok(wakeup.earliest <= wakeup.p50 && wakeup.p50 <= wakeup.p99 && wakeup.p99 <= wakeup.latest);
    assert.ok(wakeup.earliest >= -1, `no timer fires more than 1 ms early: ${wakeup.earliest}`);

    // service_i = (woke_i - started_i) + the rest >= D + diff_i, task by task, hence order statistic by
    // order statistic (up to the float rounding of the divisions).
    const { service, end_to_end: endToEnd, cdf } = doc.latency_ms;
    const atLeast = (got, bound, what) => assert.ok(got >= bound - 1e-9, `${what}: ${got} >= ${bound}`);
    atLeast(cdf.service[0], D + wakeup.earliest, 'service min vs D + earliest');
    atLeast(service.p50, D + wakeup.p50, 'service p50 vs D + wake-up p50');
    atLeast(service.p99, D + wakeup.p99, 'service p99 vs D + wake-up p99');
    atLeast(service.max, D + wakeup.latest, 'service max vs D + latest');
    atLeast(cdf.service[0], D - 1, 'every task waited at least D - 1 ms (libuv\'s ms clock)');
    assert.ok(endToEnd.p50 >= service.p50 && endToEnd.max >= service.max, 'end_to_end includes service');
    assert.ok(doc.total_ms >= endToEnd.max, 'window contains every task');
    assert.ok(doc.total_ms >= D);
    assert.ok(Math.abs(doc.throughput_per_s - N / (doc.total_ms / 1000)) < 1e-6 * doc.throughput_per_s);

    // Every task starts before any timer can fire: all N running (waiting) at once, exactly.
    const { submit_ms: submitMs, ...peaks } = doc.concurrency;
    assert.deepEqual(peaks, { peak_running: N, peak_in_flight: N });
    assert.ok(submitMs >= 0 && submitMs <= doc.total_ms, `0 <= submit_ms ${submitMs} <= total_ms ${doc.total_ms}`);

    assert.ok(doc.memory.peak_rss_bytes >= doc.memory.baseline_rss_bytes);
    assert.deepEqual(doc.memory.processes, { count: 1, peak_rss_sum_bytes: doc.memory.peak_rss_bytes });
    assert.ok(doc.cpu.user_s + doc.cpu.system_s > 0);
    if (workers !== null) {
      // main thread + W workers, all alive during the window
      assert.ok(doc.cpu.peak_threads >= workers + 1, `peak_threads ${doc.cpu.peak_threads}`);
    }
    assert.ok(doc.checks.process_cpu_s >= doc.cpu.user_s + doc.cpu.system_s,
      `process_cpu_s ${doc.checks.process_cpu_s} >= window ${doc.cpu.user_s + doc.cpu.system_s}`);
  });

  test(`mixed ${approach}: the checksum is the vector file's and follows --loop-bytes`, () => {
    for (const loopBytes of [1, 256]) {
      const { status, doc, stderr } = runJson(['--workload', 'mixed', '--approach', approach,
        '--tasks', '3', '--io-ms', '1', '--loop-bytes', String(loopBytes), ...args]);
      assert.equal(status, 0, stderr);
      assert.deepEqual(validate(schema, doc), []);
      const vector = VECTORS.vectors.find((v) => v.index === 0 && v.loop_bytes === loopBytes);
      assert.ok(vector !== undefined, `schema/fnv1a_vectors.json has (0, ${loopBytes})`);
      assert.equal(doc.checksum, vector.hex);
    }
  });

  test(`mixed ${approach}: a task above the Buffer limit is a status error, exit 1, schema-valid`, () => {
    const { constants: { MAX_LENGTH } } = require('node:buffer');
    const { status, doc, stderr } = runJson(['--workload', 'mixed', '--approach', approach,
      '--tasks', '2', '--io-ms', '1', '--loop-bytes', String(MAX_LENGTH + 1), ...args]);
    assert.equal(status, 1, stderr);
    assert.deepEqual(validate(schema, doc), []);
    assert.equal(doc.status, 'error');
    assert.equal(doc.error.kind, 'resource_exhausted');
    assert.match(doc.error.message, /loop_bytes = \d+ bytes exceeds this runtime's Buffer limit/);
    assert.ok(doc.started_at !== undefined, 'the window had opened');
    assert.ok(doc.error.at_failure !== undefined, 'error.at_failure is present');
    assert.equal(doc.checksum, null);
  });
}

test('mixed async-workers: a worker that cannot start is resource_exhausted, before the window', () => {
  // test-support/worker-init-fails.js: the third Worker fails as pthread_create does under a pids limit.
  const { status, doc, stderr } = runJson(['--require', WORKER_INIT_FAILS, RUNNER, '--workload', 'mixed',
    '--approach', 'async-workers', '--tasks', '10', '--io-ms', '1', '--loop-bytes', '64', '--workers', '4'],
  { raw: true });
  assert.equal(status, 1, stderr);
  assert.deepEqual(validate(schema, doc), []);
  assert.equal(doc.error.kind, 'resource_exhausted');
  assert.match(doc.error.message, /ERR_WORKER_INIT_FAILED/);
  assert.equal(doc.started_at, undefined, 'the pool starts before the window');
  assert.ok(doc.error.at_failure !== undefined, 'error.at_failure is present');
});
