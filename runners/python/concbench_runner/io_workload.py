"""io workload: each task waits --io-ms in its model's own way (time.sleep or asyncio.sleep)."""

from __future__ import annotations

import asyncio
import time

from concbench_runner.arguments import BenchmarkConfig
from concbench_runner.concurrency_models import run_asyncio_tasks, run_thread_per_task, run_thread_pool
from concbench_runner.measurement_window import MeasurementWindow
from concbench_runner.task_timing import TaskTimes
from concbench_runner.workload_outcome import WorkloadOutcome


def run_io(config: BenchmarkConfig, window: MeasurementWindow) -> WorkloadOutcome:
    """Run the io workload with config.approach: threading, threadpool or asyncio."""
    times = TaskTimes(config.tasks)
    started, finished = times.started, times.finished
    seconds = config.io_ms / 1000
    clock = time.perf_counter_ns

    def blocking_wait(index: int) -> None:
        started[index] = clock()
        time.sleep(seconds)
        finished[index] = clock()

    async def non_blocking_wait(index: int) -> None:
        started[index] = clock()
        await asyncio.sleep(seconds)
        finished[index] = clock()

    if config.approach == "threading":
        run_thread_per_task(times, blocking_wait, window)
    elif config.approach == "threadpool":
        run_thread_pool(times, blocking_wait, config.pool_size, window)
    elif config.approach == "asyncio":
        run_asyncio_tasks(times, non_blocking_wait, window)
    else:
        raise ValueError(f"{config.approach!r} is not an io approach")
    return WorkloadOutcome(times=times)
