'use strict';
// The cpu workloads' input and hashes, per runners/README.md ("Workloads"):
//   cpu: task i hashes payload_i * R with sha256, where payload_i is B bytes with byte j = (i + j) % 256.
//        The checksum is sha256(payload_0 * R).
//   cpu-loop: task i hashes payload_i of L bytes (same construction) with 32-bit FNV-1a, in JavaScript.
//        The checksum is task 0's hash as 8 lowercase hex digits (schema/fnv1a_vectors.json).

const crypto = require('node:crypto');
const { constants: { MAX_LENGTH } } = require('node:buffer');

/** Same message on every Node version (18 and 20 word their own errors differently). */
function bufferTooLarge(what) {
  const error = new RangeError(`${what} exceeds this runtime's Buffer limit of ${MAX_LENGTH} bytes`);
  error.code = 'ERR_BUFFER_TOO_LARGE';
  return error;
}

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
    throw bufferTooLarge(`payload_bytes * repeat = ${payloadBytes} * ${repeat} bytes`);
  }
  return Buffer.alloc(payloadBytes * repeat, basePayload(index, payloadBytes));
}

function sha256Hex(buffer) {
  return crypto.createHash('sha256').update(buffer).digest('hex');
}

function taskDigestHex(index, payloadBytes, repeat) {
  return sha256Hex(taskInput(index, payloadBytes, repeat));
}

const FNV_OFFSET_BASIS = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/**
 * 32-bit FNV-1a of `bytes` (a Buffer / Uint8Array), as an unsigned 32-bit number. The language's own
 * loop, per the cpu-loop workload: h = ((h XOR b) * prime) mod 2^32 with Math.imul (the low 32 bits of
 * the product, exactly) and >>> 0 (back to unsigned); no BigInt, no native hashing.
 */
function fnv1a32(bytes) {
  let h = FNV_OFFSET_BASIS;
  for (let j = 0; j < bytes.length; j += 1) {
    h = Math.imul(h ^ bytes[j], FNV_PRIME) >>> 0;
  }
  return h;
}

/** A 32-bit hash as the checksum's 8 lowercase hex digits. */
function hex32(hash) {
  return hash.toString(16).padStart(8, '0');
}

/** cpu-loop task i: builds payload_i of `loopBytes` bytes and returns its FNV-1a 32 (a number). */
function loopTaskHash(index, loopBytes) {
  if (loopBytes > MAX_LENGTH) throw bufferTooLarge(`loop_bytes = ${loopBytes} bytes`);
  return fnv1a32(basePayload(index, loopBytes));
}

module.exports = {
  basePayload, fnv1a32, hex32, loopTaskHash, sha256Hex, taskDigestHex, taskInput,
};
