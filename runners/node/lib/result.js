'use strict';
// Assembles the result document (schema/result.schema.json composed with schema/runner_contract.json).

// Approaches sized by --workers (the contract's sized_by "workers"): a worker_threads pool.
const WORKER_POOL_APPROACHES = new Set(['worker_threads', 'async-workers']);

// The contract's schema_version (schema/README.md, "the version rule"); test/contract.test.js fails
// until the two agree.
const SCHEMA_VERSION = 2;

/** The `workload` block: only the parameters that apply; the others are null or absent. */
function workloadBlock(options) {
  const block = { kind: options.workload, tasks: options.tasks };
  if (options.workload === 'io') {
    block.io_ms = options.ioMs;
  } else if (options.workload === 'cpu-loop') {
    block.loop_bytes = options.loopBytes;
  } else if (options.workload === 'mixed') {
    block.io_ms = options.ioMs;
    block.loop_bytes = options.loopBytes;
  } else {
    block.payload_bytes = options.payloadBytes;
    block.repeat = options.repeat;
  }
  block.pool_size = null; // threadpool only; Node has no such approach
  block.workers = WORKER_POOL_APPROACHES.has(options.approach) ? options.workers : null;
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
    wakeup_ms: measurement.wakeup,
    checks: measurement.checks,
  };
}

/** An error document; `atFailure` (error.at_failure) is left out when null. */
function errorDocument({ options, kind, message, atFailure = null, startedAt, runtime, environment }) {
  const error = { kind, message };
  if (atFailure) error.at_failure = atFailure;
  const doc = {
    schema_version: SCHEMA_VERSION,
    language: 'node',
    approach: options.approach,
    status: 'error',
    error,
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
