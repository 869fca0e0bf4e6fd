'use strict';
// Assembles the result document (schema/result.schema.json composed with schema/runner_contract.json).

// The contract's schema_version (schema/README.md, "the version rule"); test/contract.test.js fails
// until the two agree.
const SCHEMA_VERSION = 1;

/** The `workload` block: only the parameters that apply; the others are null or absent. */
function workloadBlock(options) {
  const block = { kind: options.workload, tasks: options.tasks };
  if (options.workload === 'io') {
    block.io_ms = options.ioMs;
  } else {
    block.payload_bytes = options.payloadBytes;
    block.repeat = options.repeat;
  }
  block.pool_size = null; // threadpool only; Node has no such approach
  block.workers = options.approach === 'worker_threads' ? options.workers : null;
  return block;
}

function okDocument({ options, measurement, runtime, environment }) {
  return {
    schema_version: SCHEMA_VERSION,
    language: 'node',
    approach: options.approach,
    status: 'ok',
    error: null,
    workload: workloadBlock(options),
    started_at: measurement.startedAt,
    total_ms: measurement.totalMs,
    throughput_per_s: measurement.throughputPerS,
    latency_ms: measurement.latency,
    memory: measurement.memory,
    cpu: measurement.cpu,
    concurrency: measurement.concurrency,
    checksum: measurement.checksum,
    runtime,
    environment,
  };
}

function errorDocument({ options, kind, message, startedAt, runtime, environment }) {
  const doc = {
    schema_version: SCHEMA_VERSION,
    language: 'node',
    approach: options.approach,
    status: 'error',
    error: { kind, message },
    workload: workloadBlock(options),
  };
  if (startedAt) doc.started_at = startedAt;
  Object.assign(doc, {
    total_ms: null,
    throughput_per_s: null,
    latency_ms: null,
    memory: null,
    cpu: null,
    checksum: null,
  });
  if (runtime) doc.runtime = runtime;
  if (environment) doc.environment = environment;
  return doc;
}

module.exports = { SCHEMA_VERSION, errorDocument, okDocument, workloadBlock };
