'use strict';
// /proc/self readers: memory marks (VmRSS, VmHWM, VmPeak), the thread count and the CPU affinity.
// Worker threads live in this process, so /proc/self/status covers them too.

const fs = require('node:fs');

const STATUS_PATH = '/proc/self/status';
const CLEAR_REFS_PATH = '/proc/self/clear_refs';

/** Parse /proc/<pid>/status text into a Map of field name -> raw value (trimmed). */
function parseStatus(text) {
  const fields = new Map();
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    fields.set(line.slice(0, colon), line.slice(colon + 1).trim());
  }
  return fields;
}

/** The status fields, or null where /proc is not there (non-Linux) or unreadable. */
function readStatus(path = STATUS_PATH) {
  try {
    return parseStatus(fs.readFileSync(path, 'latin1'));
  } catch {
    return null;
  }
}

/** A "NNN kB" field as bytes (integer), or null. */
function kbFieldBytes(fields, name) {
  if (fields === null) return null;
  const raw = fields.get(name);
  if (raw === undefined) return null;
  const match = /^([0-9]+)\s*kB$/.exec(raw);
  if (match === null) return null;
  return Number(match[1]) * 1024;
}

function integerField(fields, name) {
  if (fields === null) return null;
  const raw = fields.get(name);
  if (raw === undefined || !/^[0-9]+$/.test(raw)) return null;
  return Number(raw);
}

function stringField(fields, name) {
  if (fields === null) return null;
  const raw = fields.get(name);
  return raw === undefined || raw === '' ? null : raw;
}

/** Current OS thread count of this process (Threads:), or null. */
function readThreadCount(path = STATUS_PATH) {
  return integerField(readStatus(path), 'Threads');
}

/**
 * Reset the peak-RSS mark (VmHWM) to the current RSS by writing "5" to clear_refs (Linux >= 4.0).
 * Returns whether the write succeeded; it is reported as memory.hwm_reset.
 */
function resetPeakRss(path = CLEAR_REFS_PATH) {
  try {
    fs.writeFileSync(path, '5');
    return true;
  } catch {
    return false;
  }
}

module.exports = {
  CLEAR_REFS_PATH,
  STATUS_PATH,
  integerField,
  kbFieldBytes,
  parseStatus,
  readStatus,
  readThreadCount,
  resetPeakRss,
  stringField,
};
