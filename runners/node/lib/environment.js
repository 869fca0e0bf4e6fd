'use strict';
// environment (what the runner saw of its machine) and runtime blocks of the result document.
// Read outside the timed window.

const os = require('node:os');
const cgroup = require('./cgroup');
const procfs = require('./procfs');

function positiveIntegerOr(value, fallback) {
  return Number.isSafeInteger(value) && value >= 1 ? value : fallback;
}

function collectEnvironment() {
  let cpus = 0;
  try {
    cpus = os.cpus().length; // may be 0 where /proc/cpuinfo is hidden
  } catch {
    cpus = 0;
  }
  // os.availableParallelism() (Node >= 18.14) honours the affinity mask, like Python's
  // len(os.sched_getaffinity(0)).
  const parallelism = positiveIntegerOr(
    typeof os.availableParallelism === 'function' ? os.availableParallelism() : cpus,
    1,
  );
  let hostname = null;
  try {
    hostname = os.hostname() || null;
  } catch {
    hostname = null;
  }
  let limits;
  try {
    limits = cgroup.readLimits();
  } catch {
    limits = { version: null, cpu_quota_cores: null, cpuset: null, memory_limit_bytes: null };
  }
  return {
    cpu_count: positiveIntegerOr(cpus, parallelism),
    parallelism,
    affinity: procfs.stringField(procfs.readStatus(), 'Cpus_allowed_list'),
    hostname,
    cgroup: limits,
  };
}

function runtimeInfo() {
  return { name: 'node', version: process.version };
}

module.exports = { collectEnvironment, runtimeInfo };
