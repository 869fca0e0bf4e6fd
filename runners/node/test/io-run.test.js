'use strict';
// A real io/async run at the article's parameters (N=1000, D=10). Only logical bounds: a task that
// waits 10 ms takes at least 10 ms; 1000 concurrent waits take far less than 1000 sequential ones.
const test = require('node:test');
const assert = require('node:assert/strict');
const { validate } = require('../test-support/schema-subset');
const { loadSchema, runJson } = require('../test-support/run-runner');

const schema = loadSchema(); // result.schema.json composed with the contract
const N = 1000;
const D = 10;

test('io async run: schema-valid, logical bounds hold', () => {
  const { status, doc, stderr } = runJson(
    ['--workload', 'io', '--approach', 'async', '--tasks', String(N), '--io-ms', String(D)]);
  assert.equal(status, 0, stderr);
  assert.deepEqual(validate(schema, doc), []);
  assert.equal(doc.status, 'ok');
  assert.equal(doc.error, null);
  assert.equal(doc.language, 'node');
  assert.equal(doc.approach, 'async');
  assert.deepEqual(doc.workload, { kind: 'io', tasks: N, io_ms: D, pool_size: null, workers: null });
  assert.equal(doc.checksum, null);
  assert.deepEqual(doc.runtime, { name: 'node', version: process.version });

  const { service, end_to_end: endToEnd, cdf } = doc.latency_ms;
  assert.ok(service.p50 >= D, `service p50 ${service.p50} >= ${D}`);
  assert.ok(cdf.service[0] >= D, `every task waited at least D: min ${cdf.service[0]}`);
  assert.ok(doc.total_ms < (N * D) / 10, `total ${doc.total_ms} < ${(N * D) / 10} (concurrent, not N x D)`);
  assert.ok(doc.total_ms >= D);
  assert.ok(doc.total_ms >= endToEnd.max, 'window contains every task');
  assert.ok(endToEnd.p50 >= service.p50 && endToEnd.max >= service.max, 'end_to_end includes service');
  assert.equal(cdf.service.length, 101);
  assert.equal(cdf.end_to_end[100], endToEnd.max);
  assert.equal(cdf.service[50], service.p50);
  assert.ok(Math.abs(doc.throughput_per_s - N / (doc.total_ms / 1000)) < 1e-6 * doc.throughput_per_s);
  assert.ok(!Number.isInteger(service.p50) || !Number.isInteger(service.p99), 'durations are not truncated to ms');

  // Every task is submitted and started synchronously (up to its first await) before any timer can
  // fire, so all N were in flight and running at once: exact, on any machine.
  const { submit_ms: submitMs, ...peaks } = doc.concurrency;
  assert.deepEqual(peaks, { peak_running: N, peak_in_flight: N });
  // The last submission is inside the window.
  assert.ok(submitMs >= 0 && submitMs <= doc.total_ms, `0 <= submit_ms ${submitMs} <= total_ms ${doc.total_ms}`);

  const memory = doc.memory;
  assert.ok(memory.baseline_rss_bytes > 0);
  assert.ok(memory.peak_rss_bytes >= memory.baseline_rss_bytes, 'peak >= baseline');
  assert.equal(memory.per_task_bytes, (memory.peak_rss_bytes - memory.baseline_rss_bytes) / N);
  for (const key of ['rss', 'heapTotal', 'heapUsed', 'external', 'arrayBuffers']) {
    assert.equal(typeof memory.runtime[key], 'number', key);
  }
  if (process.platform === 'linux') {
    assert.equal(memory.hwm_reset, true);
    assert.ok(memory.vm_peak_bytes >= memory.peak_rss_bytes);
  }

  const cpu = doc.cpu;
  assert.ok(cpu.user_s + cpu.system_s > 0, 'some CPU was used');
  assert.ok(cpu.peak_threads >= 1);

  const env = doc.environment;
  assert.ok(env.cpu_count >= 1 && env.parallelism >= 1);
  assert.ok(!Number.isNaN(Date.parse(doc.started_at)));
});
