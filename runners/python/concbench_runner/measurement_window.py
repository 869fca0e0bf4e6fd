"""The timed window and everything measured around it (runners/README.md, "Measurement rules").

Before the window: gc.collect(), VmHWM reset, baseline VmRSS, Threads, the own cgroup's memory usage,
/proc/vmstat swap counters, getrusage. Inside it: only the tasks, their timestamps and one Threads read
right after the last submission. After it: getrusage, VmHWM/VmPeak, Threads, swap counters, then (once
the approach has torn down and reaped its workers) RUSAGE_CHILDREN, the cgroup peak, the checks and the
runtime's own view.
"""

from __future__ import annotations

import gc
import resource
import sys
import threading
import time
from collections.abc import Sequence
from typing import Any

from concbench_runner import cgroup, procfs
from concbench_runner.percentiles import NS_PER_MS


def utc_timestamp() -> str:
    """Current UTC wall-clock time, RFC 3339 with microseconds and a Z suffix (time only, no datetime)."""
    seconds, nanoseconds = divmod(time.time_ns(), 1_000_000_000)
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds)) + f".{nanoseconds // 1000:06d}Z"


def _usage_delta(before: resource.struct_rusage, after: resource.struct_rusage) -> dict[str, float]:
    return {
        "user_s": after.ru_utime - before.ru_utime,
        "system_s": after.ru_stime - before.ru_stime,
        "voluntary": after.ru_nvcsw - before.ru_nvcsw,
        "involuntary": after.ru_nivcsw - before.ru_nivcsw,
    }


class MeasurementWindow:
    """Opened by an approach just before its first submission, closed when its last task completed."""

    def __init__(self) -> None:
        self.started_at: str | None = None
        self.hwm_reset = False
        self.baseline_rss_bytes: int | None = None
        self.cgroup_baseline_bytes: int | None = None
        # The runner's own cgroup, resolved once, before anything is measured.
        self.own_cgroup = cgroup.locate_own_cgroup()
        self.opened_ns: int | None = None
        self.closed_ns: int | None = None
        self._threads_seen: list[int] = []
        self._self_before: resource.struct_rusage | None = None
        self._children_before: resource.struct_rusage | None = None
        self._self_after: resource.struct_rusage | None = None
        self._status_after: dict[str, str] = {}
        self._swap_before: tuple[int | None, int | None] = (None, None)
        self._swap_after: tuple[int | None, int | None] = (None, None)

    @property
    def is_open(self) -> bool:
        return self.opened_ns is not None and self.closed_ns is None

    def open(self) -> None:
        """Everything that must happen before the first submission, then the window's first stamp."""
        gc.collect()
        self.hwm_reset = procfs.reset_peak_rss()
        status = procfs.read_status()
        self.baseline_rss_bytes = procfs.field_bytes(status, "VmRSS")
        self._record_threads(procfs.field_int(status, "Threads"))
        self.cgroup_baseline_bytes = cgroup.memory_usage_bytes(self.own_cgroup)
        self._swap_before = procfs.swap_pages()
        self._children_before = resource.getrusage(resource.RUSAGE_CHILDREN)
        self._self_before = resource.getrusage(resource.RUSAGE_SELF)
        self.started_at = utc_timestamp()
        self.opened_ns = time.perf_counter_ns()

    def mark_last_submission(self) -> None:
        """The one read inside the window: OS threads right after the last submission."""
        self._record_threads(procfs.thread_count())

    def close(self) -> None:
        """The window's last stamp, then the reads that belong right after it."""
        self.closed_ns = time.perf_counter_ns()
        self._self_after = resource.getrusage(resource.RUSAGE_SELF)
        self._status_after = procfs.read_status()
        self._record_threads(procfs.field_int(self._status_after, "Threads"))
        self._swap_after = procfs.swap_pages()

    def _record_threads(self, count: int | None) -> None:
        if count is not None:
            self._threads_seen.append(count)

    @property
    def opened_at_ns(self) -> int:
        """The window's first stamp (perf_counter_ns): where total_ms and submit_ms start."""
        if self.opened_ns is None:
            raise RuntimeError("the measurement window was not opened")
        return self.opened_ns

    @property
    def total_ms(self) -> float:
        if self.opened_ns is None or self.closed_ns is None:
            raise RuntimeError("the measurement window was not opened and closed")
        return (self.closed_ns - self.opened_ns) / NS_PER_MS

    def cpu_document(self) -> dict[str, Any]:
        """cpu block: getrusage deltas over the window, RUSAGE_SELF plus RUSAGE_CHILDREN (reaped workers).

        Call after the approach has reaped its worker processes, which only then count as children.
        """
        if self._self_before is None or self._self_after is None or self._children_before is None:
            raise RuntimeError("the measurement window was not opened and closed")
        children_after = resource.getrusage(resource.RUSAGE_CHILDREN)
        own = _usage_delta(self._self_before, self._self_after)
        children = _usage_delta(self._children_before, children_after)
        return {
            "user_s": max(0.0, own["user_s"] + children["user_s"]),
            "system_s": max(0.0, own["system_s"] + children["system_s"]),
            "voluntary_ctx_switches": max(0, int(own["voluntary"] + children["voluntary"])),
            "involuntary_ctx_switches": max(0, int(own["involuntary"] + children["involuntary"])),
            "peak_threads": max(self._threads_seen, default=1),
        }

    def memory_document(
        self, tasks: int, worker_peak_rss_bytes: Sequence[int] = (), runtime_details: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        """memory block: VmRSS baseline, the own VmHWM peak (procfs.peak_rss: never below an exact VmRSS
        reading), every process's VmHWM summed, VmPeak, the cgroup baseline and peak, the runtime's view.
        worker_peak_rss_bytes: one VmHWM per worker process."""
        baseline = self.baseline_rss_bytes or 0
        # VmHWM and VmRSS come from the same read of /proc/self/status, right after the window closed.
        after = self._status_after
        peak = procfs.peak_rss(procfs.field_bytes(after, "VmHWM"), baseline, procfs.field_bytes(after, "VmRSS"))
        runtime_view: dict[str, Any] = {
            "gc_counts": list(gc.get_count()),
            "gc_collections": [generation["collections"] for generation in gc.get_stats()],
            "allocated_blocks": sys.getallocatedblocks(),
            "threading_stack_size": threading.stack_size(),
            "rlimit_stack_bytes": _stack_limit_bytes(),
        }
        runtime_view.update(runtime_details or {})
        return {
            "baseline_rss_bytes": baseline,
            "peak_rss_bytes": peak,
            "per_task_bytes": (peak - baseline) / tasks,
            "hwm_reset": self.hwm_reset,
            "vm_peak_bytes": procfs.field_bytes(self._status_after, "VmPeak"),
            "cgroup_peak_bytes": cgroup.memory_peak_bytes(self.own_cgroup),
            "runtime": runtime_view,
            "processes": {
                "count": 1 + len(worker_peak_rss_bytes),
                "peak_rss_sum_bytes": peak + sum(worker_peak_rss_bytes),
            },
            "cgroup_baseline_bytes": self.cgroup_baseline_bytes,
        }

    def checks_document(self) -> dict[str, Any]:
        """checks block (BenchExec's): the own cgroup's CPU and throttling over its life, the whole
        process's CPU (self + reaped children, totals since start), host-wide swapping over the window.

        Call at the end, after the approach has reaped its worker processes.
        """
        own = self.own_cgroup
        total = resource.getrusage(resource.RUSAGE_SELF)
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        process_cpu_s = total.ru_utime + total.ru_stime + children.ru_utime + children.ru_stime
        return {
            "cgroup_cpu_s": cgroup.cpu_usage_s(own),
            "process_cpu_s": max(0.0, process_cpu_s),
            "throttled_periods": cgroup.throttled_periods(own),
            "throttled_s": cgroup.throttled_s(own),
            "swap_in_pages": _counter_delta(self._swap_before[0], self._swap_after[0]),
            "swap_out_pages": _counter_delta(self._swap_before[1], self._swap_after[1]),
        }


def _counter_delta(before: int | None, after: int | None) -> int | None:
    """after - before of a counter that only grows; None when either read failed (or it went back)."""
    if before is None or after is None or after < before:
        return None
    return after - before


def _stack_limit_bytes() -> int | None:
    """RLIMIT_STACK soft limit: glibc's default stack size for new threads; None when unlimited."""
    soft, _hard = resource.getrlimit(resource.RLIMIT_STACK)
    return None if soft == resource.RLIM_INFINITY else soft
