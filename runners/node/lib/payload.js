'use strict';
// The cpu workload's input, per runners/README.md ("Workloads", cpu): task i hashes payload_i * R,
// where payload_i is B bytes with byte j = (i + j) % 256. The checksum is sha256(payload_0 * R).

const crypto = require('node:crypto');
const { constants: { MAX_LENGTH } } = require('node:buffer');

function basePayload(index, payloadBytes) {
  const payload = Buffer.allocUnsafe(payloadBytes);
  for (let j = 0; j < payloadBytes; j += 1) payload[j] = (index + j) % 256;
  return payload;
}

/**
 * payload_i repeated R times: one allocation of B*R bytes filled with the pattern, the same work as
 * Python's `data * R` (allocate, copy). Throws RangeError when B*R exceeds Buffer's limit or the
 * allocation fails.
 */
function taskInput(index, payloadBytes, repeat) {
  const size = payloadBytes * repeat;
  if (!Number.isSafeInteger(size) || size > MAX_LENGTH) {
    // Same message on every Node version (18 and 20 word their own errors differently).
    const error = new RangeError(`payload_bytes * repeat = ${payloadBytes} * ${repeat} bytes exceeds ` +
      `this runtime's Buffer limit of ${MAX_LENGTH} bytes`);
    error.code = 'ERR_BUFFER_TOO_LARGE';
    throw error;
  }
  return Buffer.alloc(payloadBytes * repeat, basePayload(index, payloadBytes));
}

function sha256Hex(buffer) {
  return crypto.createHash('sha256').update(buffer).digest('hex');
}

function taskDigestHex(index, payloadBytes, repeat) {
  return sha256Hex(taskInput(index, payloadBytes, repeat));
}

module.exports = { basePayload, sha256Hex, taskDigestHex, taskInput };
