'use strict';
// /proc readers: memory marks (VmRSS, VmHWM, VmPeak), the thread count and the CPU affinity, and
// (schema_version 2) the mapping count, the resource limits, the kernel's limits, swap activity and
// the CPU time of reaped children. Worker threads live in this process, so /proc/self covers them too.
// Every reader returns null where the file is missing or unreadable; none throws.

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
 * memory.peak_rss_bytes: the VmHWM read after the window, but never below the exact VmRSS read at the
 * window's opening (the baseline) or right after it (null when unreadable: left out). The kernel
 * keeps VmHWM from its approximate (per-CPU batched) RSS counter, so the true peak is at least every
 * exact reading.
 */
function peakRss(hwmAfter, baselineRss, rssAfter) {
  return rssAfter === null ? Math.max(hwmAfter, baselineRss) : Math.max(hwmAfter, baselineRss, rssAfter);
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

/** Number of lines of /proc/self/maps (one per mapping), counted in fixed chunks; null when unreadable. */
function readMappingCount(path = '/proc/self/maps') {
  let fd = null;
  try {
    fd = fs.openSync(path, 'r');
    const chunk = Buffer.allocUnsafe(64 * 1024);
    let lines = 0;
    for (;;) {
      const read = fs.readSync(fd, chunk, 0, chunk.length, null);
      if (read === 0) break;
      for (let i = 0; i < read; i += 1) if (chunk[i] === 0x0a) lines += 1;
    }
    return lines;
  } catch {
    return null;
  } finally {
    if (fd !== null) {
      try {
        fs.closeSync(fd);
      } catch {
        // nothing to do
      }
    }
  }
}

/**
 * The soft limit of one row of /proc/self/limits ("Max processes", "Max address space"): an integer,
 * null when "unlimited" or unreadable.
 */
function softLimit(text, name) {
  if (text === null) return null;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const soft = line.slice(name.length).trim().split(/\s+/)[0];
    return /^[0-9]+$/.test(soft) ? Number(soft) : null;
  }
  return null;
}

/** RLIMIT_NPROC and RLIMIT_AS soft limits ({ rlimit_nproc, rlimit_as_bytes }), null when unlimited. */
function readRlimits(path = '/proc/self/limits') {
  let text = null;
  try {
    text = fs.readFileSync(path, 'latin1');
  } catch {
    text = null;
  }
  return {
    rlimit_nproc: softLimit(text, 'Max processes'),
    rlimit_as_bytes: softLimit(text, 'Max address space'),
  };
}

/** A file holding one non-negative integer (/proc/sys/kernel/pid_max...), or null. */
function readIntegerFile(path) {
  try {
    const text = fs.readFileSync(path, 'latin1').trim();
    return /^[0-9]+$/.test(text) ? Number(text) : null;
  } catch {
    return null;
  }
}

/** { pid_max, threads_max, max_map_count } of the kernel. */
function readKernelLimits(procRoot = '/proc') {
  return {
    pid_max: readIntegerFile(`${procRoot}/sys/kernel/pid_max`),
    threads_max: readIntegerFile(`${procRoot}/sys/kernel/threads-max`),
    max_map_count: readIntegerFile(`${procRoot}/sys/vm/max_map_count`),
  };
}

/** Host-wide pages swapped in/out so far (/proc/vmstat pswpin, pswpout): { in, out }, each null if absent. */
function readSwapPages(path = '/proc/vmstat') {
  const pages = { in: null, out: null };
  let text;
  try {
    text = fs.readFileSync(path, 'latin1');
  } catch {
    return pages;
  }
  for (const line of text.split('\n')) {
    const match = /^(pswpin|pswpout) ([0-9]+)$/.exec(line);
    if (match !== null) pages[match[1] === 'pswpin' ? 'in' : 'out'] = Number(match[2]);
  }
  return pages;
}

// USER_HZ: the unit of the clock-tick fields of /proc/<pid>/stat, fixed at 100 by the kernel ABI.
const USER_HZ = 100;

/**
 * user + system CPU seconds of this process's reaped children (RUSAGE_CHILDREN: /proc/self/stat
 * cutime + cstime), 0 where /proc is not there: the Node runner starts no child process, so this
 * is 0 unless something else in the process did.
 */
function readChildrenCpuSeconds(path = '/proc/self/stat') {
  let text;
  try {
    text = fs.readFileSync(path, 'latin1');
  } catch {
    return 0;
  }
  // Fields after the ")" that closes comm (which may hold spaces) start at field 3 (state);
  // cutime and cstime are fields 16 and 17.
  const rest = text.slice(text.lastIndexOf(')') + 1).trim().split(/\s+/);
  const cutime = Number(rest[16 - 3]);
  const cstime = Number(rest[17 - 3]);
  return Number.isFinite(cutime) && Number.isFinite(cstime) ? (cutime + cstime) / USER_HZ : 0;
}

module.exports = {
  CLEAR_REFS_PATH,
  STATUS_PATH,
  integerField,
  kbFieldBytes,
  parseStatus,
  readChildrenCpuSeconds,
  readIntegerFile,
  readKernelLimits,
  readMappingCount,
  readRlimits,
  readStatus,
  readSwapPages,
  readThreadCount,
  peakRss,
  resetPeakRss,
  softLimit,
  stringField,
};
