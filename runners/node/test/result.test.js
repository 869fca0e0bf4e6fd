'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { classifyError, describeError } = require('../lib/error-kind');
const { errorDocument, workloadBlock } = require('../lib/result');
const { parseArgs } = require('../lib/args');
const { readAtFailure } = require('../lib/observations');
const { validate } = require('../test-support/schema-subset');
const { loadSchema } = require('../test-support/run-runner');

const schema = loadSchema(); // result.schema.json composed with the contract

function withCode(error, code) {
  error.code = code;
  return error;
}

test('error kinds', () => {
  assert.equal(classifyError(withCode(new Error('worker ran out of memory'), 'ERR_WORKER_OUT_OF_MEMORY')), 'out_of_memory');
  assert.equal(classifyError(new RangeError('Array buffer allocation failed')), 'out_of_memory');
  assert.equal(classifyError(withCode(new Error('EAGAIN'), 'ERR_WORKER_INIT_FAILED')), 'resource_exhausted');
  assert.equal(classifyError(withCode(new RangeError('too big'), 'ERR_BUFFER_TOO_LARGE')), 'resource_exhausted');
  assert.equal(classifyError(new TypeError('x is not a function')), 'internal');
  assert.equal(classifyError('a string'), 'internal');
});

test('describeError is one non-empty line', () => {
  assert.equal(describeError(withCode(new RangeError('a\nb'), 'E_X')), 'RangeError: a b [E_X]');
  assert.equal(describeError(new Error('')), 'Error');
  assert.equal(describeError(null), 'unknown error');
});

test('workload block: only applicable parameters, others null', () => {
  assert.deepEqual(workloadBlock(parseArgs(['--approach', 'async', '--workers', '8', '--repeat', '3'])),
    { kind: 'io', tasks: 1000, io_ms: 10, pool_size: null, workers: null });
  assert.deepEqual(workloadBlock(parseArgs(['--workload', 'cpu', '--approach', 'worker_threads', '--io-ms', '5'])),
    { kind: 'cpu', tasks: 1000, payload_bytes: 64, repeat: 10000, pool_size: null, workers: 4 });
  assert.deepEqual(workloadBlock(parseArgs(['--workload', 'cpu-loop', '--approach', 'worker_threads',
    '--loop-bytes', '77', '--repeat', '3', '--workers', '2'])),
    { kind: 'cpu-loop', tasks: 1000, loop_bytes: 77, pool_size: null, workers: 2 });
});

test('error document validates against the schema', () => {
  const doc = errorDocument({
    options: parseArgs(['--workload', 'cpu', '--approach', 'worker_threads']),
    kind: 'resource_exhausted',
    message: 'EAGAIN [ERR_WORKER_INIT_FAILED]',
    startedAt: null,
    runtime: { name: 'node', version: process.version },
    environment: { cpu_count: 2, parallelism: 2, affinity: '0-1', hostname: null,
      cgroup: { version: null, cpu_quota_cores: null, cpuset: null, memory_limit_bytes: null } },
  });
  assert.deepEqual(validate(schema, doc), []);
  assert.equal(doc.started_at, undefined);
  assert.equal(doc.concurrency, undefined, 'no concurrency block in an error document');
  assert.equal(doc.error.at_failure, undefined, 'no at_failure when none was read');
});

test('error document with at_failure read here validates against the schema', () => {
  const atFailure = readAtFailure();
  const doc = errorDocument({
    options: parseArgs(['--approach', 'async']),
    kind: 'out_of_memory',
    message: 'RangeError: Array buffer allocation failed',
    atFailure,
    startedAt: '2026-11-27T00:00:00.000Z',
    runtime: { name: 'node', version: process.version },
    environment: null,
  });
  assert.deepEqual(validate(schema, doc), []);
  assert.deepEqual(Object.keys(doc.error), ['kind', 'message', 'at_failure']);
  assert.deepEqual(Object.keys(atFailure), ['threads', 'memory_maps', 'pids', 'rss_bytes', 'limits']);
  if (process.platform === 'linux') {
    assert.ok(atFailure.threads >= 1 && atFailure.memory_maps >= 1 && atFailure.rss_bytes > 0);
  }
});

test('at_failure: every field null where nothing can be read is still schema-valid', () => {
  const nulls = {
    threads: null, memory_maps: null, pids: null, rss_bytes: null,
    limits: { pids_max: null, pid_max: null, threads_max: null, max_map_count: null,
      rlimit_nproc: null, rlimit_as_bytes: null, memory_limit_bytes: null },
  };
  const doc = errorDocument({ options: parseArgs(['--approach', 'async']), kind: 'internal', message: 'x',
    atFailure: nulls, startedAt: null, runtime: null, environment: null });
  assert.deepEqual(validate(schema, doc), []);
});
