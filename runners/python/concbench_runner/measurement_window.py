"""The timed window and everything measured around it (runners/README.md, "Measurement rules").

Before the window: gc.collect(), VmHWM reset, baseline VmRSS, Threads, getrusage. Inside it: only
the tasks, their timestamps and one Threads read right after the last submission. After it:
getrusage, VmHWM/VmPeak, Threads, then (once the approach has torn down and reaped its workers)
RUSAGE_CHILDREN, the cgroup peak and the runtime's own view.
"""

from __future__ import annotations

import gc
import resource
import sys
import threading
import time
from datetime import UTC, datetime
from typing import Any

from concbench_runner import cgroup, procfs
from concbench_runner.task_timing import NS_PER_MS


def utc_timestamp() -> str:
    """Current UTC wall-clock time, RFC 3339 with a Z suffix."""
    return datetime.now(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


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
        self.opened_ns: int | None = None
        self.closed_ns: int | None = None
        self._threads_seen: list[int] = []
        self._self_before: resource.struct_rusage | None = None
        self._children_before: resource.struct_rusage | None = None
        self._self_after: resource.struct_rusage | None = None
        self._status_after: dict[str, str] = {}

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
        self, tasks: int, worker_peak_rss_bytes: int = 0, runtime_details: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        """memory block: VmRSS baseline, VmHWM peak (plus workers'), VmPeak, cgroup peak, runtime view."""
        baseline = self.baseline_rss_bytes or 0
        own_peak = procfs.field_bytes(self._status_after, "VmHWM") or 0
        peak = own_peak + worker_peak_rss_bytes
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
            "cgroup_peak_bytes": cgroup.memory_peak_bytes(cgroup.locate_own_cgroup()),
            "runtime": runtime_view,
        }


def _stack_limit_bytes() -> int | None:
    """RLIMIT_STACK soft limit: glibc's default stack size for new threads; None when unlimited."""
    soft, _hard = resource.getrlimit(resource.RLIMIT_STACK)
    return None if soft == resource.RLIM_INFINITY else soft
