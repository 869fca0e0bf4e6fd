'use strict';
// A real io/async run at the article's parameters (N=1000, D=10). Only logical bounds: a task that
// waits 10 ms takes more than 9 ms (libuv's loop clock counts whole ms, so a timer may fire up to 1 ms
// early: the runner does not correct it, it reports it in wakeup_ms); 1000 concurrent waits take far
// less than 1000 sequential ones.
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
  assert.ok(service.p50 >= D - 1, `service p50 ${service.p50} >= ${D} - 1 ms`);
  assert.ok(cdf.service[0] >= D - 1, `every task waited at least D - 1 ms (libuv's ms clock): min ${cdf.service[0]}`);
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

  // One process: its own VmHWM is the sum. The cgroup baseline is the own cgroup's or null.
  assert.deepEqual(memory.processes, { count: 1, peak_rss_sum_bytes: memory.peak_rss_bytes });
  assert.ok(memory.cgroup_baseline_bytes === null || memory.cgroup_baseline_bytes > 0);

  const cpu = doc.cpu;
  assert.ok(cpu.user_s + cpu.system_s > 0, 'some CPU was used');
  assert.ok(cpu.peak_threads >= 1);

  // Wake-up error: (finished - started) - D per task, so its order statistics are the service
  // times' minus D (up to the float rounding of the two divisions).
  const wakeup = doc.wakeup_ms;
  assert.ok(Number.isInteger(wakeup.early_tasks) && wakeup.early_tasks >= 0 && wakeup.early_tasks <= N);
  assert.equal(wakeup.early_tasks > 0, wakeup.earliest < 0, 'early tasks exist iff the earliest woke before D');
  assert.ok(wakeup.earliest <= wakeup.p50 && wakeup.p50 <= wakeup.p99 && wakeup.p99 <= wakeup.latest);
  assert.ok(wakeup.earliest >= -1, `no timer fires more than 1 ms early: ${wakeup.earliest}`);
  const close = (a, b) => Math.abs(a - b) < 1e-9;
  assert.ok(close(wakeup.earliest, cdf.service[0] - D), `${wakeup.earliest} vs ${cdf.service[0] - D}`);
  assert.ok(close(wakeup.p50, service.p50 - D));
  assert.ok(close(wakeup.p99, service.p99 - D));
  assert.ok(close(wakeup.latest, service.max - D));

  // Whole-process CPU since start-up covers the window's.
  const { checks } = doc;
  assert.ok(checks.process_cpu_s >= cpu.user_s + cpu.system_s,
    `process_cpu_s ${checks.process_cpu_s} >= window ${cpu.user_s + cpu.system_s}`);
  for (const key of ['swap_in_pages', 'swap_out_pages', 'throttled_periods']) {
    assert.ok(checks[key] === null || Number.isInteger(checks[key]), key);
  }

  const env = doc.environment;
  assert.ok(env.cpu_count >= 1 && env.parallelism >= 1);
  assert.ok(!Number.isNaN(Date.parse(doc.started_at)));
});
