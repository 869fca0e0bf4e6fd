"""io workload: each task waits --io-ms in its model's own way (time.sleep or asyncio.sleep; uvloop: the
asyncio tasks on uvloop's event loop)."""

from __future__ import annotations

import functools
import time
from collections.abc import Awaitable, Callable, Coroutine
from time import perf_counter_ns
from typing import TYPE_CHECKING, Any

from concbench_runner.arguments import BenchmarkConfig
from concbench_runner.concurrency_models import run_asyncio_tasks, run_thread_per_task, run_thread_pool
from concbench_runner.measurement_window import MeasurementWindow
from concbench_runner.task_timing import TaskTimes, wait_ns
from concbench_runner.workload_outcome import WorkloadOutcome

if TYPE_CHECKING:
    import asyncio


class BlockingWaits:
    """The thread approaches' task body: stamp started, time.sleep(D), stamp finished."""

    __slots__ = ("finished", "seconds", "started")

    def __init__(self, times: TaskTimes, seconds: float) -> None:
        self.started = times.started
        self.finished = times.finished
        self.seconds = seconds

    def wait(self, index: int) -> None:
        self.started[index] = perf_counter_ns()
        time.sleep(self.seconds)
        self.finished[index] = perf_counter_ns()


class AsyncWaits:
    """asyncio's task body: stamp started, await asyncio.sleep(D), stamp finished.

    Each task finds its number (the index of its stamps) from its own name: the driver names every
    task str(index), a string that takes the place of asyncio's own "Task-N" (the same size up to
    Python 3.12), so the waiting coroutine holds no index. Its frame holds one slot (self) beside a
    stack of two, as the stamps are calls without arguments and the wait is partial(asyncio.sleep, D):
    192 bytes, the size of a bare `async def task(): await asyncio.sleep(D)`'s. An index argument
    would cost 48 bytes per task (a 32-byte int and a frame 16 bytes larger), ~3% of what a bare
    program of waiting asyncio tasks holds; the name costs two short lookups per task instead, taken
    after each stamp.
    """

    __slots__ = ("current_task", "finished", "sleep", "started")

    def __init__(
        self,
        times: TaskTimes,
        sleep: Callable[[], Awaitable[None]],
        current_task: Callable[[], asyncio.Task[Any] | None],
    ) -> None:
        self.started = times.started
        self.finished = times.finished
        self.sleep = sleep
        self.current_task = current_task

    def coroutine(self, index: int) -> Coroutine[Any, Any, None]:
        """The coroutine of task `index`, which the driver names str(index) (see the class)."""
        return self.wait()

    async def wait(self) -> None:
        self.stamp_started()
        await self.sleep()
        self.stamp_finished()

    def stamp_started(self) -> None:
        now = perf_counter_ns()
        self.started[self.own_index()] = now

    def stamp_finished(self) -> None:
        now = perf_counter_ns()
        self.finished[self.own_index()] = now

    def own_index(self) -> int:
        """The running task's number, from its name."""
        task = self.current_task()
        if task is None:
            raise RuntimeError("an io coroutine ran outside an asyncio task")
        return int(task.get_name())


def run_io(config: BenchmarkConfig, window: MeasurementWindow) -> WorkloadOutcome:
    """Run the io workload with config.approach: threading, threadpool, asyncio or uvloop."""
    times = TaskTimes(config.tasks)
    seconds = config.io_ms / 1000
    runtime_details: dict[str, Any] | None = None
    if config.approach in ("asyncio", "uvloop"):
        import asyncio

        loop_factory = None
        if config.approach == "uvloop":
            # The same tasks on uvloop's event loop: imported by this approach alone (event_loops).
            from concbench_runner.event_loops import uvloop_loop_factory, uvloop_version

            loop_factory = uvloop_loop_factory()
            runtime_details = {"uvloop_version": uvloop_version()}
        waits = AsyncWaits(times, functools.partial(asyncio.sleep, seconds), asyncio.current_task)
        run_asyncio_tasks(times, waits.coroutine, window, loop_factory=loop_factory)
    elif config.approach == "threading":
        run_thread_per_task(times, BlockingWaits(times, seconds).wait, window)
    elif config.approach == "threadpool":
        run_thread_pool(times, BlockingWaits(times, seconds).wait, config.pool_size, window)
    else:
        raise ValueError(f"{config.approach!r} is not an io approach")
    return WorkloadOutcome(times=times, wait_ns=wait_ns(config.io_ms), runtime_details=runtime_details)
