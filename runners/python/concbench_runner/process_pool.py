"""The worker-process pool of the multiprocessing (cpu, cpu-loop) and asyncio-processpool (mixed) approaches.

concurrent.futures' ProcessPoolExecutor rather than multiprocessing.Pool: when a worker dies (the OOM
killer picks the largest process of the cgroup), Pool replaces it and waits forever for the lost task,
while the executor fails every pending task with BrokenProcessPool at once. Its `workers` processes
are forked and running before the window, as Node's worker_threads pool is. Each worker reads its
own VmHWM after every task it runs, so that memory.processes can count the workers.

Imported only by the approaches that fork workers: a thread or asyncio run has no use for
multiprocessing.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from concurrent.futures import ProcessPoolExecutor
from typing import Any

from concbench_runner import procfs
from concbench_runner.failure_state import collect_at_failure
from concbench_runner.failures import SubmissionStopped

# fork is Linux's default up to Python 3.13; stated so that 3.14's forkserver default does not
# silently change what is measured (fork: workers share the parent's pages until they write).
MULTIPROCESSING_START_METHOD = "fork"
# How long to wait for the worker processes of a pool that failed to start once they were told to stop.
WORKER_STOP_TIMEOUT_S = 10.0


def start_process_pool(workers: int) -> ProcessPoolExecutor:
    """A ProcessPoolExecutor(workers) whose every worker is forked and idle; SubmissionStopped if not."""
    context = multiprocessing.get_context(MULTIPROCESSING_START_METHOD)
    # Forked workers inherit stdout's buffer: it must be empty so they can never print a copy of it.
    sys.stdout.flush()
    pool: ProcessPoolExecutor | None = None
    try:
        pool = ProcessPoolExecutor(max_workers=workers, mp_context=context)
        # The executor forks lazily; make it start every worker now, outside the window.
        for warm in [pool.submit(os.getpid) for _ in range(workers)]:
            warm.result()
    except Exception as exc:
        at_failure = collect_at_failure()
        if pool is not None:
            _stop_workers(pool)
        raise SubmissionStopped(exc, 0, f"starting {workers} worker processes", at_failure) from exc
    return pool


def _stop_workers(pool: ProcessPoolExecutor) -> None:
    """Stop the workers of a pool that failed to start, so that none is left waiting for work.

    A fork that fails part-way leaves the workers already forked blocked on the pool's queue, with no
    manager thread to stop them; multiprocessing's exit handler would then wait for them forever.
    """
    processes = list((pool._processes or {}).values())
    for process in processes:
        process.terminate()
    pool.shutdown(wait=True, cancel_futures=True)
    for process in processes:
        process.join(WORKER_STOP_TIMEOUT_S)


def worker_identity() -> tuple[int, int | None]:
    """In a worker, after its task: its pid and its VmHWM (bytes, None when unreadable)."""
    return os.getpid(), procfs.peak_rss_bytes()


class WorkerPeaks:
    """The largest VmHWM each worker process reported, by pid (a few entries, not one per task)."""

    __slots__ = ("by_pid",)

    def __init__(self) -> None:
        self.by_pid: dict[int, int] = {}

    def add(self, pid: int, peak: int | None) -> None:
        if peak is not None:
            self.by_pid[pid] = max(peak, self.by_pid.get(pid, 0))

    def peaks(self) -> tuple[int, ...]:
        return tuple(self.by_pid.values())

    def runtime_details(self, workers: int) -> dict[str, Any]:
        """Keys added to memory.runtime."""
        peaks = self.peaks()
        return {
            "multiprocessing_start_method": MULTIPROCESSING_START_METHOD,
            "pool_workers": workers,
            "worker_processes_reporting": len(peaks),
            # The workers' VmHWM summed: they share pages with the parent and with each other.
            "worker_peak_rss_bytes": sum(peaks),
        }
