'use strict';
// The contract's exit_codes (schema/runner_contract.json); test/contract.test.js checks them.
// runner.js sets process.exitCode from these and never calls process.exit().

const EXIT_OK = 0; // status ok
const EXIT_RUN_FAILED = 1; // status error: the document is still printed
const EXIT_USAGE = 2; // usage error: stdout empty, one stderr line

module.exports = { EXIT_OK, EXIT_RUN_FAILED, EXIT_USAGE };
