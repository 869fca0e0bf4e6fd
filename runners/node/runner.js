#!/usr/bin/env node
'use strict';
// concbench-poly Node.js runner. Contract: runners/README.md; output: schema/result.schema.json.
//   node runners/node/runner.js --workload io --approach async --tasks 1000 --io-ms 10
//   node runners/node/runner.js --workload cpu --approach worker_threads --tasks 1000 --workers 4
//   node runners/node/runner.js --workload cpu-loop --approach worker_threads --tasks 1000 --loop-bytes 16384
//   node runners/node/runner.js --workload mixed --approach async-workers --io-ms 10 --loop-bytes 16384 --workers 4
// stdout: exactly one JSON document; diagnostics on stderr. Exit 0 ok, 1 status error, 2 usage.
// The process is never ended with process.exit(): it sets process.exitCode and exits once stdout
// has drained and the worker pool was terminated.

const { USAGE, UsageError, formatUsageError, parseArgs } = require('./lib/args');
const { collectEnvironment, runtimeInfo } = require('./lib/environment');
const { ERROR_KIND, classifyError, describeError } = require('./lib/error-kind');
const { EXIT_OK, EXIT_RUN_FAILED, EXIT_USAGE } = require('./lib/exit-codes');
const { RunFailure, measure } = require('./lib/measurement');
const { readAtFailure } = require('./lib/observations');
const { errorDocument, okDocument } = require('./lib/result');

// stdout belongs to the JSON document: anything logged by accident goes to stderr instead.
console.log = console.error;
console.info = console.error;
console.debug = console.error;

let documentWritten = false;
let parsedOptions = null; // set once the arguments are valid

function writeDocument(doc) {
  documentWritten = true;
  process.stdout.write(`${JSON.stringify(doc)}\n`);
}

function note(line) {
  process.stderr.write(`runner: ${line}\n`);
}

async function main(argv) {
  let options;
  try {
    options = parseArgs(argv);
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`${formatUsageError(error)}\n`);
      process.exitCode = EXIT_USAGE;
      return;
    }
    throw error;
  }
  parsedOptions = options.help ? null : options;
  if (options.help) {
    process.stderr.write(USAGE);
    process.exitCode = EXIT_OK;
    return;
  }

  const runtime = runtimeInfo();
  const environment = collectEnvironment();
  try {
    const measurement = await measure(options);
    writeDocument(okDocument({ options, measurement, runtime, environment }));
    process.exitCode = EXIT_OK;
  } catch (failure) {
    const measured = failure instanceof RunFailure;
    const cause = measured ? failure.cause : failure;
    const message = describeError(cause);
    note(`run failed: ${message}`);
    writeDocument(errorDocument({
      options,
      kind: classifyError(cause),
      message,
      atFailure: measured ? failure.atFailure : readAtFailure(),
      startedAt: measured ? failure.startedAt : null,
      runtime,
      environment,
    }));
    process.exitCode = EXIT_RUN_FAILED;
  }
}

main(process.argv.slice(2)).catch((error) => {
  // Last resort: never a bare stack trace, and never a second document on stdout.
  note(`internal error: ${describeError(error)}`);
  if (!documentWritten && parsedOptions !== null) {
    writeDocument(errorDocument({
      options: parsedOptions,
      kind: ERROR_KIND.INTERNAL,
      message: describeError(error),
      atFailure: readAtFailure(),
      startedAt: null,
      runtime: runtimeInfo(),
      environment: null,
    }));
  }
  process.exitCode = EXIT_RUN_FAILED;
});
