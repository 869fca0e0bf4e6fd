'use strict';
// Maps a failure to the contract's runner error kinds: out_of_memory, resource_exhausted, internal.

// Every error.kind this runner can produce: classifyError and runner.js take them from here, and
// test/contract.test.js checks each against the runner kinds of schema/runner_contract.json.
const ERROR_KIND = Object.freeze({
  RESOURCE_EXHAUSTED: 'resource_exhausted',
  OUT_OF_MEMORY: 'out_of_memory',
  INTERNAL: 'internal',
});
const ERROR_KINDS = Object.freeze(Object.values(ERROR_KIND));

const OUT_OF_MEMORY_CODES = new Set(['ERR_WORKER_OUT_OF_MEMORY', 'ERR_MEMORY_ALLOCATION_FAILED', 'ENOMEM']);
const RESOURCE_CODES = new Set([
  'ERR_WORKER_INIT_FAILED', // e.g. pthread_create failed (pids limit, EAGAIN)
  'EAGAIN',
  'EMFILE',
  'ENFILE',
  'ERR_BUFFER_TOO_LARGE', // payload_bytes * repeat (or loop_bytes) above the runtime's Buffer limit
]);
const OUT_OF_MEMORY_MESSAGES = [
  /allocation failed/i, // "Array buffer allocation failed", "Buffer allocation failed"
  /out of memory/i,
  /invalid (typed )?array length/i,
  /Cannot create a string longer/i,
];
const RESOURCE_MESSAGES = [/EAGAIN/, /Resource temporarily unavailable/i, /pthread_create/i, /EMFILE/];

function classifyError(error) {
  const code = error && typeof error.code === 'string' ? error.code : null;
  const message = error && error.message ? String(error.message) : String(error);
  if (code !== null && OUT_OF_MEMORY_CODES.has(code)) return ERROR_KIND.OUT_OF_MEMORY;
  if (code !== null && RESOURCE_CODES.has(code)) return ERROR_KIND.RESOURCE_EXHAUSTED;
  if (OUT_OF_MEMORY_MESSAGES.some((re) => re.test(message))) return ERROR_KIND.OUT_OF_MEMORY;
  if (RESOURCE_MESSAGES.some((re) => re.test(message))) return ERROR_KIND.RESOURCE_EXHAUSTED;
  return ERROR_KIND.INTERNAL;
}

/** A one-line, non-empty description for error.message. */
function describeError(error) {
  if (error === null || error === undefined) return 'unknown error';
  const name = error.name && error.name !== 'Error' ? `${error.name}: ` : '';
  const code = typeof error.code === 'string' ? ` [${error.code}]` : '';
  const text = error.message ? String(error.message) : String(error);
  const line = `${name}${text}${code}`.replace(/\s*\n\s*/g, ' ').trim();
  return line === '' ? 'unknown error' : line;
}

module.exports = { ERROR_KIND, ERROR_KINDS, classifyError, describeError };
