"""The thread pool's threads are all started before the window opens, and none inside it."""

from __future__ import annotations

import asyncio
import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from concbench_runner.concurrency_models import _start_pool_threads, run_thread_pool, start_default_executor
from concbench_runner.measurement_window import MeasurementWindow
from concbench_runner.task_timing import TaskTimes


class CountingWindow(MeasurementWindow):
    """Records the live threads at each of the window's points, and measures nothing else."""

    def __init__(self) -> None:
        super().__init__()
        self.threads: dict[str, int] = {}

    def open(self) -> None:
        self.threads["open"] = threading.active_count()

    def mark_last_submission(self) -> None:
        self.threads["last_submission"] = threading.active_count()

    def close(self) -> None:
        self.threads["close"] = threading.active_count()


def test_start_pool_threads_starts_every_thread_and_leaves_them_idle() -> None:
    before = threading.active_count()
    executor = ThreadPoolExecutor(max_workers=8)
    try:
        _start_pool_threads(executor, 8)
        assert threading.active_count() == before + 8
        # The threads are idle: a burst of submissions starts no new one.
        futures = [executor.submit(time.sleep, 0.001) for _ in range(40)]
        assert threading.active_count() == before + 8
        for future in futures:
            future.result()
    finally:
        executor.shutdown(wait=True)
    assert threading.active_count() == before


@pytest.mark.parametrize("pool_size", [1, 50])
def test_run_thread_pool_opens_the_window_on_a_full_pool(pool_size: int) -> None:
    before = threading.active_count()
    tasks = 3 * pool_size
    times = TaskTimes(tasks)
    window = CountingWindow()

    def body(index: int) -> None:
        times.started[index] = time.perf_counter_ns()
        time.sleep(0.001)
        times.finished[index] = time.perf_counter_ns()

    run_thread_pool(times, body, pool_size, window)
    expected = before + pool_size
    assert window.threads == {"open": expected, "last_submission": expected, "close": expected}
    assert times.incomplete() == []
    assert threading.active_count() == before


def test_default_executor_threads_start_before_to_thread_is_called() -> None:
    """asyncio-to-thread: the executor asyncio would make lazily, made early, with every thread started;
    asyncio.to_thread then uses it and starts no thread of its own."""
    before = threading.active_count()

    async def main() -> tuple[int, int, int]:
        threads = start_default_executor(asyncio.get_running_loop())
        ready = threading.active_count()
        await asyncio.gather(*(asyncio.to_thread(time.sleep, 0.001) for _ in range(4 * threads)))
        return threads, ready, threading.active_count()

    threads, ready, after_calls = asyncio.run(main())
    assert threads == min(32, (os.cpu_count() or 1) + 4)  # ThreadPoolExecutor's default size
    assert ready == after_calls == before + threads
    assert threading.active_count() == before  # asyncio.run shut the default executor down
