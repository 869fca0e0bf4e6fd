'use strict';
// What the runner reads about itself outside the window besides memory (schema_version 2):
// - checks (ok documents): BenchExec's checks, whether the figures can be trusted;
// - error.at_failure (error documents): the counts when a run failed, beside the limits that bind
//   them, read at the moment the failure is handled (before the workers already started are torn
//   down), so that a report can name the limit that broke the model.
// Every value that cannot be read is null; none of these readers throws.

const cgroup = require('./cgroup');
const procfs = require('./procfs');

/** A reader's value, or `fallback` when it throws (a failure report must never fail itself). */
function safely(read, fallback) {
  try {
    return read();
  } catch {
    return fallback;
  }
}

/** Host-wide swap counters (/proc/vmstat), read just before the window opens and just after it closes. */
function readSwapPages() {
  return safely(() => procfs.readSwapPages(), { in: null, out: null });
}

function delta(before, after) {
  return before === null || after === null || after < before ? null : after - before;
}

/**
 * The checks block, read at the end (after the workers were reaped): CPU of the own cgroup over its
 * life and of the whole process since it started, CPU throttling, swap activity over the window.
 */
function readChecks(swapBefore, swapAfter) {
  const cpu = safely(() => cgroup.readCpuChecks(),
    { cpu_usage_s: null, throttled_periods: null, throttled_s: null });
  const processCpu = safely(() => {
    // RUSAGE_SELF (every thread, worker threads included, ended ones too) + RUSAGE_CHILDREN.
    const usage = process.resourceUsage();
    return (usage.userCPUTime + usage.systemCPUTime) / 1e6 + procfs.readChildrenCpuSeconds();
  }, null);
  return {
    cgroup_cpu_s: cpu.cpu_usage_s,
    process_cpu_s: processCpu,
    throttled_periods: cpu.throttled_periods,
    throttled_s: cpu.throttled_s,
    swap_in_pages: delta(swapBefore.in, swapAfter.in),
    swap_out_pages: delta(swapBefore.out, swapAfter.out),
  };
}

/** error.at_failure: the process's counts now, and the limits that bind them. */
function readAtFailure() {
  const status = safely(() => procfs.readStatus(), null);
  const pids = safely(() => cgroup.readPids(), { pids_current: null, pids_max: null });
  const kernel = safely(() => procfs.readKernelLimits(), { pid_max: null, threads_max: null, max_map_count: null });
  const rlimits = safely(() => procfs.readRlimits(), { rlimit_nproc: null, rlimit_as_bytes: null });
  return {
    threads: procfs.integerField(status, 'Threads'),
    memory_maps: safely(() => procfs.readMappingCount(), null),
    pids: pids.pids_current,
    rss_bytes: procfs.kbFieldBytes(status, 'VmRSS'),
    limits: {
      pids_max: pids.pids_max,
      pid_max: kernel.pid_max,
      threads_max: kernel.threads_max,
      max_map_count: kernel.max_map_count,
      rlimit_nproc: rlimits.rlimit_nproc,
      rlimit_as_bytes: rlimits.rlimit_as_bytes,
      memory_limit_bytes: safely(() => cgroup.readMemoryLimit(), null),
    },
  };
}

module.exports = { readAtFailure, readChecks, readSwapPages };
