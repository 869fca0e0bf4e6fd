'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { classifyError, describeError } = require('../lib/error-kind');
const { errorDocument, workloadBlock } = require('../lib/result');
const { parseArgs } = require('../lib/args');
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
});
