"""Per-task timestamps (time.perf_counter_ns, CLOCK_MONOTONIC) and the figures built from them.

The stamps are three preallocated array('q') of N signed 64-bit integers (24 bytes per task, no
Python object per stamp): a list of ints would cost ~40 bytes per stamp (a pointer plus an int
object), which at 100,000 waiting tasks is ~10% of a bare asyncio program's whole memory. The mixed
workload has a fourth, `woke` (taken after its wait, before its CPU work); no other workload has it.

After the window every figure is computed from the arrays, one figure at a time: its per-task
durations are sorted once (a transient list of ints), the percentiles are read off it in ns and
divided by 1e6 only when reported, and the list is freed before the next figure.
"""

from __future__ import annotations

import math
from array import array
from bisect import bisect_left
from collections.abc import Sequence
from operator import sub
from typing import Any

from concbench_runner.percentiles import NS_PER_MS, cdf_sorted_ns, nearest_rank_index, summarize_sorted_ns

# Signed 64-bit: perf_counter_ns counts from boot and fits for centuries; 0 means "never stamped".
STAMP_TYPECODE = "q"


def zeroed_stamps(tasks: int) -> array[int]:
    """N zeroed 64-bit stamps in one allocation (an array repeated, no per-task object)."""
    return array(STAMP_TYPECODE, [0]) * tasks


class TaskTimes:
    """submitted / started / finished stamps of every task, indexed by task number, and `woke` for a
    workload whose tasks wait before their work (mixed; None otherwise: no memory for it elsewhere).

    Each task writes only its own slots, so no lock is needed; a 0 means "never happened".
    """

    __slots__ = ("finished", "started", "submitted", "woke")

    def __init__(self, tasks: int, *, woke: bool = False) -> None:
        self.submitted = zeroed_stamps(tasks)
        self.started = zeroed_stamps(tasks)
        self.finished = zeroed_stamps(tasks)
        self.woke: array[int] | None = zeroed_stamps(tasks) if woke else None

    def __len__(self) -> int:
        return len(self.submitted)

    def _stamp_arrays(self) -> list[array[int]]:
        arrays = [self.submitted, self.started, self.finished]
        return arrays if self.woke is None else [*arrays, self.woke]

    def incomplete(self) -> list[int]:
        """Indexes of tasks missing a stamp: never submitted, started, woken or finished (a scan in C
        when none is)."""
        arrays = self._stamp_arrays()
        if all(0 not in stamps for stamps in arrays):
            return []
        return [index for index in range(len(self)) if not all(stamps[index] for stamps in arrays)]

    def sorted_service_ns(self) -> list[int]:
        """finished - started of every task, integer ns, sorted ascending."""
        return sorted(map(sub, self.finished, self.started))

    def sorted_end_to_end_ns(self) -> list[int]:
        """finished - submitted of every task (includes queueing), integer ns, sorted ascending."""
        return sorted(map(sub, self.finished, self.submitted))

    def sorted_waited_ns(self) -> list[int]:
        """woke - started of every task (mixed: its wait, up to the stamp before its CPU work), sorted."""
        if self.woke is None:
            raise RuntimeError("these tasks have no woke stamps")
        return sorted(map(sub, self.woke, self.started))


def wait_ns(io_ms: float) -> int:
    """D in integer ns: round(io_ms * 1e6), halves rounded up (as Go's math.Round and JS Math.round)."""
    scaled = io_ms * NS_PER_MS
    whole = math.floor(scaled)
    return whole + 1 if scaled - whole >= 0.5 else whole


def wakeup_figures(sorted_waited_ns: Sequence[int], wait: int) -> dict[str, Any]:
    """wakeup_ms from each task's (woke - started) in ns, sorted ascending, and D in ns.

    diff = (woke - started) - D keeps the order of (woke - started), so one sorted sequence gives every
    figure: early_tasks = diffs < 0, earliest / latest = first / last, p50 / p99 nearest rank.
    """
    n = len(sorted_waited_ns)

    def ms(index: int) -> float:
        return (sorted_waited_ns[index] - wait) / NS_PER_MS

    return {
        "early_tasks": bisect_left(sorted_waited_ns, wait),
        "earliest": ms(0),
        "p50": ms(nearest_rank_index(50, n)),
        "p99": ms(nearest_rank_index(99, n)),
        "latest": ms(n - 1),
    }


def stamp_figures(times: TaskTimes, wait: int | None) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """latency_ms and wakeup_ms of the result document (wakeup_ms is None for a workload without a wait).

    For io, woke IS the task's finished stamp, so the wake-up error comes from the sorted service times;
    mixed has woke stamps of its own (taken before its CPU work), sorted after the service times are freed.
    """
    own_woke = times.woke is not None
    service = times.sorted_service_ns()
    service_summary, service_cdf = summarize_sorted_ns(service), cdf_sorted_ns(service)
    wakeup = None if wait is None or own_woke else wakeup_figures(service, wait)
    del service
    if wait is not None and own_woke:
        waited = times.sorted_waited_ns()
        wakeup = wakeup_figures(waited, wait)
        del waited
    end_to_end = times.sorted_end_to_end_ns()
    end_to_end_summary, end_to_end_cdf = summarize_sorted_ns(end_to_end), cdf_sorted_ns(end_to_end)
    del end_to_end
    latency = {
        "service": service_summary,
        "end_to_end": end_to_end_summary,
        "cdf": {"service": service_cdf, "end_to_end": end_to_end_cdf},
    }
    return latency, wakeup
