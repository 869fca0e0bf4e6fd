'use strict';
// The runner's own cgroup, per runners/README.md ("Memory" step 5 and "Environment"):
// - version: 2 if <mnt>/cgroup.controllers exists, 1 if <mnt>/memory exists, else null;
// - own path from /proc/self/cgroup: v2 the "0::<path>" line, v1 the line listing the controller;
// - directory: v2 <mnt>/<path>, v1 <mnt>/<controller>/<path>, falling back to the controller's mount
//   root when that joined directory does not exist (a container without a cgroup namespace sees the
//   host path in /proc/self/cgroup while its own cgroup is mounted at the root);
// - cgroup_peak_bytes is null when the own path is the root "/" (the root is not the runner's own).
// Read outside the window as well (schema_version 2): memory usage (memory.cgroup_baseline_bytes), the
// CPU figures of checks (v1 cpuacct.usage through the cpuacct controller, co-mounted or apart; cpu.stat
// throttling) and the pids counts of error.at_failure. A value that cannot be read is null.
// Every reader takes its roots as parameters so that tests can point it at a fake tree.

const fs = require('node:fs');
const path = require('node:path');

const DEFAULT_ROOTS = Object.freeze({
  procSelfCgroup: '/proc/self/cgroup',
  mount: '/sys/fs/cgroup',
});

// Limits at or above 2^60 mean "unlimited" (v1 reports 9223372036854771712 for no limit).
const UNLIMITED_BYTES = 2n ** 60n;

function readText(file) {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}

function exists(file) {
  try {
    fs.statSync(file);
    return true;
  } catch {
    return false;
  }
}

function detectVersion(mount = DEFAULT_ROOTS.mount) {
  if (exists(path.join(mount, 'cgroup.controllers'))) return 2;
  if (exists(path.join(mount, 'memory'))) return 1;
  return null;
}

/** "hierarchy-id:controller,list:/path" lines -> [{ id, controllers: [...], path }]. */
function parseProcCgroup(text) {
  const entries = [];
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const first = line.indexOf(':');
    const second = line.indexOf(':', first + 1);
    if (first < 0 || second < 0) continue;
    const controllers = line.slice(first + 1, second);
    entries.push({
      id: line.slice(0, first),
      controllers: controllers === '' ? [] : controllers.split(','),
      path: line.slice(second + 1),
    });
  }
  return entries;
}

/** The own cgroup path for a controller (ignored for v2), or null when not listed. */
function ownPath(entries, version, controller) {
  if (version === 2) {
    const unified = entries.find((e) => e.id === '0' && e.controllers.length === 0);
    return unified === undefined ? null : unified.path;
  }
  if (version === 1) {
    const entry = entries.find((e) => e.controllers.includes(controller));
    return entry === undefined ? null : entry.path;
  }
  return null;
}

/** Mount directory of a v1 controller: <mnt>/<controller>, or a co-mounted "cpu,cpuacct" dir. */
function v1ControllerMount(mount, controller) {
  const direct = path.join(mount, controller);
  if (exists(direct)) return direct;
  let names = [];
  try {
    names = fs.readdirSync(mount);
  } catch {
    return null;
  }
  const comounted = names.find((name) => name.split(',').includes(controller));
  return comounted === undefined ? null : path.join(mount, comounted);
}

/**
 * Where the own cgroup's files for `controller` are: { dir } or null (no cgroup of its own).
 */
function resolveDir(controller, roots = DEFAULT_ROOTS, version = detectVersion(roots.mount)) {
  if (version === null) return null;
  const text = readText(roots.procSelfCgroup);
  if (text === null) return null;
  const own = ownPath(parseProcCgroup(text), version, controller);
  if (own === null) return null;
  const base = version === 2 ? roots.mount : v1ControllerMount(roots.mount, controller);
  if (base === null) return null;
  const relative = own.replace(/^\/+/, '');
  const joined = relative === '' ? base : path.join(base, relative);
  // cgroup v2 with a private cgroup namespace (Docker's default there) shows "0::/" for the
  // container's own cgroup; the true root cgroup never has memory.max (runners/README.md).
  const namespacedOwn = version === 2 && relative === '' && exists(path.join(base, 'memory.max'));
  // The root "/" is not the runner's own cgroup: none of its figures or limits apply to the runner.
  if (relative === '' && !namespacedOwn) return null;
  return { dir: exists(joined) ? joined : base };
}

/** A file holding one non-negative integer (or "max"), as BigInt; "max" -> null; missing -> undefined. */
function readBigInt(file) {
  const text = readText(file);
  if (text === null) return undefined;
  const value = text.trim();
  if (value === 'max') return null;
  if (!/^-?[0-9]+$/.test(value)) return undefined;
  return BigInt(value);
}

function integerOrNull(big) {
  if (big === undefined || big === null || big < 0n) return null;
  return Number(big);
}

/** memory.peak (v2) / memory.max_usage_in_bytes (v1) of the own cgroup; null for "/" or unreadable. */
function readPeakBytes(roots = DEFAULT_ROOTS) {
  const version = detectVersion(roots.mount);
  const where = resolveDir('memory', roots, version);
  if (where === null) return null;
  const file = version === 2 ? 'memory.peak' : 'memory.max_usage_in_bytes';
  return integerOrNull(readBigInt(path.join(where.dir, file)));
}

function readMemoryLimitBytes(roots, version) {
  const where = resolveDir('memory', roots, version);
  if (where === null) return null;
  const file = version === 2 ? 'memory.max' : 'memory.limit_in_bytes';
  const value = readBigInt(path.join(where.dir, file));
  if (value === undefined || value === null || value < 0n || value >= UNLIMITED_BYTES) return null;
  return Number(value);
}

function readCpuQuotaCores(roots, version) {
  const where = resolveDir('cpu', roots, version);
  if (where === null) return null;
  if (version === 2) {
    const text = readText(path.join(where.dir, 'cpu.max'));
    if (text === null) return null;
    const [quota, period] = text.trim().split(/\s+/);
    if (quota === undefined || quota === 'max' || period === undefined) return null;
    const q = Number(quota);
    const p = Number(period);
    return Number.isFinite(q) && q > 0 && Number.isFinite(p) && p > 0 ? q / p : null;
  }
  const quota = readBigInt(path.join(where.dir, 'cpu.cfs_quota_us'));
  const period = readBigInt(path.join(where.dir, 'cpu.cfs_period_us'));
  if (quota === undefined || quota === null || quota <= 0n) return null;
  if (period === undefined || period === null || period <= 0n) return null;
  return Number(quota) / Number(period);
}

function readCpuset(roots, version) {
  const where = resolveDir('cpuset', roots, version);
  if (where === null) return null;
  const candidates = version === 2
    ? ['cpuset.cpus.effective']
    : ['cpuset.effective_cpus', 'cpuset.cpus'];
  for (const name of candidates) {
    const text = readText(path.join(where.dir, name));
    if (text !== null && text.trim() !== '') return text.trim();
  }
  return null;
}

/** memory.current (v2) / memory.usage_in_bytes (v1) of the own cgroup: memory.cgroup_baseline_bytes. */
function readUsageBytes(roots = DEFAULT_ROOTS) {
  const version = detectVersion(roots.mount);
  const where = resolveDir('memory', roots, version);
  if (where === null) return null;
  const file = version === 2 ? 'memory.current' : 'memory.usage_in_bytes';
  return integerOrNull(readBigInt(path.join(where.dir, file)));
}

/** "key value" lines (cpu.stat) -> Map of key -> BigInt; lines that are not a key and an integer are skipped. */
function parseKeyedCounts(text) {
  const counts = new Map();
  for (const line of text.split('\n')) {
    const match = /^(\S+)\s+([0-9]+)\s*$/.exec(line);
    if (match !== null) counts.set(match[1], BigInt(match[2]));
  }
  return counts;
}

/** cpu.stat of the own cgroup as a Map (empty when it cannot be read). */
function readCpuStat(roots, version) {
  const where = resolveDir('cpu', roots, version);
  if (where === null) return new Map();
  const text = readText(path.join(where.dir, 'cpu.stat'));
  return text === null ? new Map() : parseKeyedCounts(text);
}

/** A counter divided into seconds (usec: 1e6, ns: 1e9), or null when absent. */
function seconds(big, perSecond) {
  return big === undefined || big === null || big < 0n ? null : Number(big) / perSecond;
}

/**
 * The CPU figures of `checks`: { cpu_usage_s, throttled_periods, throttled_s }.
 * v2: cpu.stat usage_usec, nr_throttled, throttled_usec. v1: cpuacct.usage (ns) of the cpuacct
 * controller (co-mounted as cpu,cpuacct or mounted alone), cpu.stat nr_throttled, throttled_time (ns).
 */
function readCpuChecks(roots = DEFAULT_ROOTS) {
  const version = detectVersion(roots.mount);
  if (version === null) return { cpu_usage_s: null, throttled_periods: null, throttled_s: null };
  const stat = readCpuStat(roots, version);
  const periods = stat.get('nr_throttled');
  if (version === 2) {
    return {
      cpu_usage_s: seconds(stat.get('usage_usec'), 1e6),
      throttled_periods: integerOrNull(periods),
      throttled_s: seconds(stat.get('throttled_usec'), 1e6),
    };
  }
  const cpuacct = resolveDir('cpuacct', roots, version);
  const usageNs = cpuacct === null ? undefined : readBigInt(path.join(cpuacct.dir, 'cpuacct.usage'));
  return {
    cpu_usage_s: seconds(usageNs, 1e9),
    throttled_periods: integerOrNull(periods),
    throttled_s: seconds(stat.get('throttled_time'), 1e9),
  };
}

/** The own pids cgroup: { pids_current, pids_max } (pids_max null when "max"). */
function readPids(roots = DEFAULT_ROOTS) {
  const version = detectVersion(roots.mount);
  const where = resolveDir('pids', roots, version);
  if (where === null) return { pids_current: null, pids_max: null };
  return {
    pids_current: integerOrNull(readBigInt(path.join(where.dir, 'pids.current'))),
    pids_max: integerOrNull(readBigInt(path.join(where.dir, 'pids.max'))),
  };
}

/** The own memory cgroup's limit in bytes; null when unlimited or unreadable. */
function readMemoryLimit(roots = DEFAULT_ROOTS) {
  const version = detectVersion(roots.mount);
  return version === null ? null : readMemoryLimitBytes(roots, version);
}

/** environment.cgroup: { version, cpu_quota_cores, cpuset, memory_limit_bytes }. */
function readLimits(roots = DEFAULT_ROOTS) {
  const version = detectVersion(roots.mount);
  if (version === null) {
    return { version: null, cpu_quota_cores: null, cpuset: null, memory_limit_bytes: null };
  }
  return {
    version,
    cpu_quota_cores: readCpuQuotaCores(roots, version),
    cpuset: readCpuset(roots, version),
    memory_limit_bytes: readMemoryLimitBytes(roots, version),
  };
}

module.exports = {
  DEFAULT_ROOTS,
  detectVersion,
  ownPath,
  parseKeyedCounts,
  parseProcCgroup,
  readCpuChecks,
  readLimits,
  readMemoryLimit,
  readPeakBytes,
  readPids,
  readUsageBytes,
  resolveDir,
};
