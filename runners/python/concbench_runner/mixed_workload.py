"""mixed workload: each task waits D = --io-ms in its model's own way, then does cpu-loop's work.

Task i: its `started` stamp; the wait (time.sleep in a thread, asyncio.sleep in a coroutine); its
`woke` stamp; the cpu-loop work of task i (payload_i of L = --loop-bytes bytes, FNV-1a 32 in plain
Python: payload.loop_task_hash, the cpu-loop code path), its hash kept in an array of N allocated
before the window; its `finished` stamp. All tasks are submitted without waiting for earlier ones, as
for io. Per approach, where the CPU work runs:
  threading:           in the task's own thread, after time.sleep (the GIL lets one thread hash at a time);
  threadpool:          the same body in ThreadPoolExecutor(pool_size), its threads started before the window;
  asyncio:             inline in the coroutine, blocking the event loop (that is the point: the timers of
                       the tasks still waiting fire late, which shows in wakeup_ms);
  asyncio-processpool: `await loop.run_in_executor(pool, ...)` on a ProcessPoolExecutor(workers), forked
                       and started before the window as multiprocessing's pool is (process_pool); the
                       worker's hash comes back with its pid and VmHWM, for memory.processes;
  asyncio-to-thread:   `await asyncio.to_thread(...)`: the loop's default executor, made and its threads
                       started before the window (concurrency_models.start_default_executor).
`finished` is stamped by the task itself once its hash is back: service = finished - started covers the
wait, any wait for the CPU (the loop, the GIL, a worker) and the work. wakeup_ms comes from
(woke - started) - D; checksum is task 0's FNV-1a as 8 hex digits.
"""

from __future__ import annotations

import os
import time
from time import perf_counter_ns
from typing import TYPE_CHECKING, Any

from concbench_runner import procfs
from concbench_runner.arguments import BenchmarkConfig
from concbench_runner.concurrency_models import (
    CoroutineFactory,
    run_asyncio_tasks,
    run_thread_per_task,
    run_thread_pool,
)
from concbench_runner.failure_state import collect_at_failure
from concbench_runner.failures import TaskFailed
from concbench_runner.measurement_window import MeasurementWindow
from concbench_runner.payload import hex32, loop_task_hash, zeroed_hashes
from concbench_runner.task_timing import TaskTimes, wait_ns
from concbench_runner.workload_outcome import WorkloadOutcome

if TYPE_CHECKING:
    from array import array
    from concurrent.futures import Executor

    from concbench_runner.process_pool import WorkerPeaks


def hash_in_worker(index: int, loop_bytes: int) -> tuple[int, int, int | None]:
    """asyncio-processpool's work in a worker process: task i's FNV-1a, the worker's pid and VmHWM
    (read after the work, as multiprocessing's workers do)."""
    value = loop_task_hash(index, loop_bytes)
    return value, os.getpid(), procfs.peak_rss_bytes()


class MixedTasks:
    """The stamps, the hash slots and the parameters every mixed task body shares (one object per run)."""

    __slots__ = ("finished", "hashes", "loop_bytes", "seconds", "started", "woke")

    def __init__(self, times: TaskTimes, seconds: float, loop_bytes: int) -> None:
        if times.woke is None:
            raise ValueError("mixed tasks need woke stamps")
        self.started = times.started
        self.woke: array[int] = times.woke
        self.finished = times.finished
        self.hashes = zeroed_hashes(len(times))
        self.seconds = seconds
        self.loop_bytes = loop_bytes

    def blocking(self, index: int) -> None:
        """threading / threadpool: time.sleep(D), then the work in this thread."""
        self.started[index] = perf_counter_ns()
        time.sleep(self.seconds)
        self.woke[index] = perf_counter_ns()
        self.hashes[index] = loop_task_hash(index, self.loop_bytes)
        self.finished[index] = perf_counter_ns()

    def inline(self) -> CoroutineFactory:
        """asyncio's coroutines: asyncio.sleep(D), then the work inline, blocking the event loop."""
        import asyncio

        started, woke, finished, hashes = self.started, self.woke, self.finished, self.hashes
        seconds, loop_bytes = self.seconds, self.loop_bytes

        async def task(index: int) -> None:
            started[index] = perf_counter_ns()
            await asyncio.sleep(seconds)
            woke[index] = perf_counter_ns()
            hashes[index] = loop_task_hash(index, loop_bytes)
            finished[index] = perf_counter_ns()

        return task

    def on_threads(self) -> CoroutineFactory:
        """asyncio-to-thread's coroutines: asyncio.sleep(D), then await the work in the loop's default
        executor (asyncio.to_thread)."""
        import asyncio

        started, woke, finished, hashes = self.started, self.woke, self.finished, self.hashes
        seconds, loop_bytes = self.seconds, self.loop_bytes

        async def task(index: int) -> None:
            started[index] = perf_counter_ns()
            await asyncio.sleep(seconds)
            woke[index] = perf_counter_ns()
            hashes[index] = await asyncio.to_thread(loop_task_hash, index, loop_bytes)
            finished[index] = perf_counter_ns()

        return task

    def on_process_pool(self, pool: Executor, peaks: WorkerPeaks) -> CoroutineFactory:
        """asyncio-processpool's coroutines: asyncio.sleep(D), then await the work in a worker process
        (loop.run_in_executor); the worker's pid and VmHWM come back with the hash."""
        import asyncio

        started, woke, finished, hashes = self.started, self.woke, self.finished, self.hashes
        seconds, loop_bytes = self.seconds, self.loop_bytes

        async def task(index: int) -> None:
            started[index] = perf_counter_ns()
            await asyncio.sleep(seconds)
            woke[index] = perf_counter_ns()
            loop = asyncio.get_running_loop()
            hashes[index], pid, peak = await loop.run_in_executor(pool, hash_in_worker, index, loop_bytes)
            finished[index] = perf_counter_ns()
            peaks.add(pid, peak)

        return task

    def checksum(self) -> str:
        return hex32(self.hashes[0])


def run_mixed(config: BenchmarkConfig, window: MeasurementWindow) -> WorkloadOutcome:
    """Run the mixed workload with config.approach (see the module's docstring)."""
    times = TaskTimes(config.tasks, woke=True)
    tasks = MixedTasks(times, config.io_ms / 1000, config.loop_bytes)
    runtime_details: dict[str, Any] | None = None
    worker_peaks: tuple[int, ...] = ()
    if config.approach == "threading":
        run_thread_per_task(times, tasks.blocking, window)
    elif config.approach == "threadpool":
        run_thread_pool(times, tasks.blocking, config.pool_size, window)
    elif config.approach == "asyncio":
        run_asyncio_tasks(times, tasks.inline(), window)
    elif config.approach == "asyncio-to-thread":
        from concbench_runner.concurrency_models import start_default_executor

        executor_threads: list[int] = []
        run_asyncio_tasks(
            times, tasks.on_threads(), window, lambda loop: executor_threads.append(start_default_executor(loop))
        )
        runtime_details = {"default_executor_threads": executor_threads[0]}
    elif config.approach == "asyncio-processpool":
        worker_peaks, runtime_details = _run_on_process_pool(config, times, tasks, window)
    else:
        raise ValueError(f"{config.approach!r} is not a mixed approach")
    return WorkloadOutcome(
        times=times,
        wait_ns=wait_ns(config.io_ms),
        checksum=tasks.checksum(),
        worker_peak_rss_bytes=worker_peaks,
        runtime_details=runtime_details,
    )


def _run_on_process_pool(
    config: BenchmarkConfig, times: TaskTimes, tasks: MixedTasks, window: MeasurementWindow
) -> tuple[tuple[int, ...], dict[str, Any]]:
    """asyncio + ProcessPoolExecutor(workers): the pool is forked and started before the event loop and
    the window, and shut down (its workers joined, so RUSAGE_CHILDREN holds their CPU) after it."""
    from concbench_runner.process_pool import WorkerPeaks, start_process_pool

    peaks = WorkerPeaks()
    pool = start_process_pool(config.workers)
    try:
        run_asyncio_tasks(times, tasks.on_process_pool(pool, peaks), window)
    except TaskFailed as failed:
        # A lost worker (BrokenProcessPool): read the state before shutdown() tears the pool down.
        if failed.at_failure is None:
            failed.at_failure = collect_at_failure()
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    return peaks.peaks(), peaks.runtime_details(config.workers)
