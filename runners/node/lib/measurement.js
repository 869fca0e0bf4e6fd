'use strict';
// One measured run, per runners/README.md ("Measurement rules"):
//   prepare the workload (worker pool up and ready) -> Threads read -> gc() -> reset VmHWM -> VmRSS baseline
//   -> rusage before -> [window: first submission .. last completion] -> rusage after -> Threads
//   -> VmHWM / VmPeak / cgroup peak / process.memoryUsage() -> close the workload.
// Nothing observes the process inside the window except the one Threads read right after the last
// submission. Clock: process.hrtime.bigint() (process-wide monotonic, valid across worker threads).

const cgroup = require('./cgroup');
const { collectGarbage } = require('./gc');
const procfs = require('./procfs');
const { cdfOfSorted, sortedAscending, summarizeSorted } = require('./percentiles');
const { concurrencyBlock } = require('./peak-concurrency');
const { createCpuWorkload } = require('./cpu-workload');
const { createIoWorkload } = require('./io-workload');

const NS_PER_MS = 1e6;

class RunFailure extends Error {
  constructor(cause, startedAt) {
    super(cause && cause.message ? cause.message : String(cause));
    this.cause = cause;
    this.startedAt = startedAt;
  }
}

function createWorkload(options) {
  return options.workload === 'io' ? createIoWorkload(options) : createCpuWorkload(options);
}

/** float ms (never truncated) of an hrtime difference in ns */
function nsToMs(ns) {
  return Number(ns) / NS_PER_MS;
}

function latencyBlock(stamps, n) {
  const service = new Float64Array(n);
  const endToEnd = new Float64Array(n);
  for (let i = 0; i < n; i += 1) {
    service[i] = nsToMs(stamps.finished[i] - stamps.started[i]);
    endToEnd[i] = nsToMs(stamps.finished[i] - stamps.submitted[i]);
  }
  const serviceSorted = sortedAscending(service);
  const endToEndSorted = sortedAscending(endToEnd);
  return {
    service: summarizeSorted(serviceSorted),
    end_to_end: summarizeSorted(endToEndSorted),
    cdf: { service: cdfOfSorted(serviceSorted), end_to_end: cdfOfSorted(endToEndSorted) },
  };
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
 * Run the benchmark described by `options`. Resolves to the measurement fields of an ok document
 * plus `notes` (diagnostic lines for stderr); rejects with RunFailure (carrying started_at when the
 * window had opened).
 */
async function measure(options) {
  const n = options.tasks;
  let startedAt = null;
  let workload = null;
  try {
    // Stamp arrays are allocated before the baseline so they are not counted per task.
    const stamps = {
      submitted: new BigUint64Array(n),
      started: new BigUint64Array(n),
      finished: new BigUint64Array(n),
    };
    workload = createWorkload(options);
    await workload.prepare();

    const threadsBefore = procfs.readThreadCount();
    // Settle the heap just before the peak reset and the baseline (Python gc.collect(), Go runtime.GC()).
    const gcBeforeWindow = collectGarbage();
    const hwmReset = procfs.resetPeakRss();
    const statusBefore = procfs.readStatus();
    let baselineRss = procfs.kbFieldBytes(statusBefore, 'VmRSS');
    if (baselineRss === null) baselineRss = process.memoryUsage().rss;
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
    const threadsAfter = procfs.readThreadCount();
    const statusAfter = procfs.readStatus();
    let peakRss = procfs.kbFieldBytes(statusAfter, 'VmHWM');
    if (peakRss === null) peakRss = usageAfter.maxRSS * 1024; // ru_maxrss: kB, never reset
    const vmPeak = procfs.kbFieldBytes(statusAfter, 'VmPeak');
    const cgroupPeak = cgroup.readPeakBytes();
    const runtime = runtimeMemory(gcBeforeWindow);

    await workload.close();
    const notes = workload.notes();
    workload = null;

    const totalMs = nsToMs(windowEnd - windowStart);
    const concurrency = concurrencyBlock(stamps, windowStart);
    return {
      startedAt,
      totalMs,
      throughputPerS: totalMs > 0 ? n / (totalMs / 1000) : null,
      latency: latencyBlock(stamps, n),
      memory: {
        baseline_rss_bytes: baselineRss,
        peak_rss_bytes: peakRss,
        per_task_bytes: (peakRss - baselineRss) / n,
        hwm_reset: hwmReset,
        vm_peak_bytes: vmPeak,
        cgroup_peak_bytes: cgroupPeak,
        runtime,
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
      notes,
    };
  } catch (error) {
    throw new RunFailure(error, startedAt);
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

module.exports = { RunFailure, latencyBlock, measure, nsToMs };
