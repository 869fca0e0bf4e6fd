"""What a completed workload hands back to the result document."""

from __future__ import annotations

from typing import Any, NamedTuple

from concbench_runner.task_timing import TaskTimes


class WorkloadOutcome(NamedTuple):
    """Task stamps plus what only some workloads or approaches have.

    wait_ns: D in integer ns for a workload whose tasks wait (io, mixed), None otherwise (no wakeup_ms);
    checksum: the document's checksum (cpu, cpu-loop, mixed), None for io;
    worker_peak_rss_bytes: the VmHWM of each worker process that reported one (multiprocessing,
    asyncio-processpool);
    runtime_details: keys added to memory.runtime.
    """

    times: TaskTimes
    wait_ns: int | None = None
    checksum: str | None = None
    worker_peak_rss_bytes: tuple[int, ...] = ()
    runtime_details: dict[str, Any] | None = None
