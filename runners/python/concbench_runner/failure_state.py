"""error.at_failure: what the runner counted when a run failed, beside the limits that bind those counts.

Read at the moment the failure is handled: where the submission stopped, BEFORE the tasks already
started are waited for or torn down, so the counts show the state that failed (e.g. Python threading
stops at ~22,287 threads with "can't start new thread" when memory_maps reaches vm.max_map_count
65530, ~3 mappings per thread). Every value is None where it cannot be read; collecting never raises,
even with no memory left (a field that cannot be built is None).
"""

from __future__ import annotations

import resource
from collections.abc import Callable
from typing import Any, TypeVar

from concbench_runner import cgroup, procfs

T = TypeVar("T")


def _or_none(read: Callable[[], T]) -> T | None:
    try:
        return read()
    except (OSError, ValueError, MemoryError):
        return None


def _soft_limit(which: int) -> int | None:
    """A resource's soft limit; None when unlimited."""
    soft, _hard = resource.getrlimit(which)
    return None if soft == resource.RLIM_INFINITY or soft < 0 else soft


def collect_at_failure() -> dict[str, Any] | None:
    """error.at_failure now; None only when not even its dictionary can be built (no memory at all)."""
    try:
        status = procfs.read_status()
        own = _or_none(cgroup.locate_own_cgroup)
        return {
            "threads": procfs.field_int(status, "Threads"),
            "memory_maps": procfs.count_lines(procfs.SELF_MAPS),
            "pids": None if own is None else _or_none(lambda: cgroup.pids_current(own)),
            "rss_bytes": procfs.field_bytes(status, "VmRSS"),
            "vm_size_bytes": procfs.field_bytes(status, "VmSize"),
            "limits": {
                "pids_max": None if own is None else _or_none(lambda: cgroup.pids_max(own)),
                "pid_max": procfs.read_integer_file(procfs.PID_MAX),
                "threads_max": procfs.read_integer_file(procfs.THREADS_MAX),
                "max_map_count": procfs.read_integer_file(procfs.MAX_MAP_COUNT),
                "rlimit_nproc": _or_none(lambda: _soft_limit(resource.RLIMIT_NPROC)),
                "rlimit_as_bytes": _or_none(lambda: _soft_limit(resource.RLIMIT_AS)),
                "memory_limit_bytes": None if own is None else _or_none(lambda: cgroup.memory_limit_bytes(own)),
            },
        }
    except MemoryError:
        return None
