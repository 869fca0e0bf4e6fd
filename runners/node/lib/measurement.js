'use strict';
// One measured run, per runners/README.md ("Measurement rules"):
//   prepare the workload (worker pool up and ready) -> Threads read -> gc() -> reset VmHWM -> VmRSS baseline
//   -> cgroup memory usage and /proc/vmstat swap counters -> rusage before
//   -> [window: first submission .. last completion]
//   -> rusage after -> swap counters -> Threads -> VmHWM / VmPeak / cgroup peak / process.memoryUsage()
//   -> close the workload -> gc() -> latency, concurrency and wake-up error from the stamps -> checks.
// Nothing observes the process inside the window except the one Threads read right after the last
// submission. Clock: process.hrtime.bigint() (process-wide monotonic, valid across worker threads).
// On a failure, error.at_failure is read in the catch block, before `finally` tears the workers down.

const cgroup = require('./cgroup');
const { collectGarbage } = require('./gc');
const procfs = require('./procfs');
const { readAtFailure, readChecks, readSwapPages } = require('./observations');
const { statisticsOfStamps } = require('./stamp-statistics');
const { waitNsOf } = require('./wakeup');

const NS_PER_MS = 1e6;

class RunFailure extends Error {
  constructor(cause, startedAt, atFailure) {
    super(cause && cause.message ? cause.message : String(cause));
    this.cause = cause;
    this.startedAt = startedAt;
    this.atFailure = atFailure;
  }
}

// Required on use, so that an io run does not load worker_threads (nor a cpu run the io code). cpu and
// cpu-loop share the worker_threads pool; mixed's async-workers uses it too.
function createWorkload(options) {
  if (options.workload === 'io') return require('./io-workload').createIoWorkload(options);
  if (options.workload === 'mixed') return require('./mixed-workload').createMixedWorkload(options);
  return require('./cpu-workload').createCpuWorkload(options);
}

// Workloads whose tasks wait io_ms: they report the wake-up error.
const WAITING_WORKLOADS = new Set(['io', 'mixed']);

/** float ms (never truncated) of an hrtime difference in ns */
function nsToMs(ns) {
  return Number(ns) / NS_PER_MS;
}

function maxOfKnown(...values) {
  const known = values.filter((v) => Number.isSafeInteger(v) && v >= 1);
  return known.length === 0 ? 1 : Math.max(...known);
}

function runtimeMemory(gcBeforeWindow) {
  const usage = process.memoryUsage();
  return {
    rss: usage.rss,
    heapTotal: usage.heapTotal,
    heapUsed: usage.heapUsed,
    external: usage.external,
    arrayBuffers: usage.arrayBuffers,
    gc_before_window: gcBeforeWindow,
  };
}

/**
 * Run the benchmark described by `options`. Resolves to the measurement fields of an ok document;
 * rejects with RunFailure (carrying started_at when the window had opened, and at_failure).
 */
async function measure(options) {
  const n = options.tasks;
  let startedAt = null;
  let workload = null;
  try {
    // Stamp arrays are allocated before the baseline so they are not counted per task. mixed has one
    // more, `woke` (right after the wait, before the CPU work); io's woke is its finished stamp.
    const stamps = {
      submitted: new BigUint64Array(n),
      started: new BigUint64Array(n),
      finished: new BigUint64Array(n),
    };
    if (options.workload === 'mixed') stamps.woke = new BigUint64Array(n);
    workload = createWorkload(options);
    await workload.prepare();

    const threadsBefore = procfs.readThreadCount();
    // Settle the heap just before the peak reset and the baseline (Python gc.collect(), Go runtime.GC()).
    const gcBeforeWindow = collectGarbage();
    const hwmReset = procfs.resetPeakRss();
    const statusBefore = procfs.readStatus();
    let baselineRss = procfs.kbFieldBytes(statusBefore, 'VmRSS');
    if (baselineRss === null) baselineRss = process.memoryUsage().rss;
    const cgroupBaseline = cgroup.readUsageBytes();
    const swapBefore = readSwapPages();
    let threadsMid = null;
    const afterLastSubmission = () => {
      threadsMid = procfs.readThreadCount();
    };
    const usageBefore = process.resourceUsage();
    startedAt = new Date().toISOString();

    // ---- timed window ----
    const windowStart = process.hrtime.bigint();
    const outcome = await workload.run(stamps, afterLastSubmission);
    const windowEnd = process.hrtime.bigint();
    // ---- end of window ----

    const usageAfter = process.resourceUsage();
    const swapAfter = readSwapPages();
    const threadsAfter = procfs.readThreadCount();
    const statusAfter = procfs.readStatus();
    let hwmAfter = procfs.kbFieldBytes(statusAfter, 'VmHWM');
    if (hwmAfter === null) hwmAfter = usageAfter.maxRSS * 1024; // ru_maxrss: kB, never reset
    // The exact VmRSS of the same read: the peak is never below it nor below the baseline.
    const peakRss = procfs.peakRss(hwmAfter, baselineRss, procfs.kbFieldBytes(statusAfter, 'VmRSS'));
    const vmPeak = procfs.kbFieldBytes(statusAfter, 'VmPeak');
    const cgroupPeak = cgroup.readPeakBytes();
    const runtime = runtimeMemory(gcBeforeWindow);

    await workload.close();
    workload = null;
    // Every figure of the window is read. The window's tasks are garbage now; collecting them before
    // the statistics allocate their scratch array keeps the work after the window from adding to the
    // process's max RSS and the cgroup peak (runners/README.md, "Runner bookkeeping").
    collectGarbage();

    const totalMs = nsToMs(windowEnd - windowStart);
    const waitNs = WAITING_WORKLOADS.has(options.workload) ? waitNsOf(options.ioMs) : null;
    const { latency, concurrency, wakeup } = statisticsOfStamps(stamps, windowStart, waitNs);
    return {
      startedAt,
      totalMs,
      throughputPerS: totalMs > 0 ? n / (totalMs / 1000) : null,
      latency,
      memory: {
        baseline_rss_bytes: baselineRss,
        peak_rss_bytes: peakRss,
        per_task_bytes: (peakRss - baselineRss) / n,
        hwm_reset: hwmReset,
        vm_peak_bytes: vmPeak,
        cgroup_peak_bytes: cgroupPeak,
        runtime,
        // worker_threads are threads of this one process: its own peak covers them.
        processes: { count: 1, peak_rss_sum_bytes: peakRss },
        cgroup_baseline_bytes: cgroupBaseline,
      },
      cpu: {
        user_s: Math.max(0, usageAfter.userCPUTime - usageBefore.userCPUTime) / 1e6,
        system_s: Math.max(0, usageAfter.systemCPUTime - usageBefore.systemCPUTime) / 1e6,
        voluntary_ctx_switches: Math.max(
          0, usageAfter.voluntaryContextSwitches - usageBefore.voluntaryContextSwitches),
        involuntary_ctx_switches: Math.max(
          0, usageAfter.involuntaryContextSwitches - usageBefore.involuntaryContextSwitches),
        peak_threads: maxOfKnown(threadsBefore, threadsMid, threadsAfter),
      },
      concurrency,
      checksum: outcome.checksum,
      wakeup,
      // Read last: the workers were reaped, and the whole run's CPU is in.
      checks: readChecks(swapBefore, swapAfter),
    };
  } catch (error) {
    // Before `finally` terminates the workers that did start: the state that failed.
    throw new RunFailure(error, startedAt, readAtFailure());
  } finally {
    if (workload !== null) {
      try {
        await workload.close();
      } catch {
        // already failing; the run's own error is the one reported
      }
    }
  }
}

module.exports = { RunFailure, measure, nsToMs };
