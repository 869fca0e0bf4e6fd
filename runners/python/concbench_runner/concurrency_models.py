"""The three in-process ways of running N tasks: a thread per task, a thread pool, asyncio tasks.

Each driver stamps `submitted` just before it asks for a task (Thread() + start / executor.submit /
asyncio.create_task); the task body stamps `started` and `finished` itself. The drivers open the
measurement window right before the first submission and close it once every task has completed.

If a submission fails (a thread cannot start, memory runs out...), the driver stops submitting,
waits for the tasks already submitted and raises SubmissionStopped. A task that raises makes the
run fail with TaskFailed once all tasks are done.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable, Coroutine
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from concbench_runner.failures import SubmissionStopped, TaskFailed
from concbench_runner.measurement_window import MeasurementWindow
from concbench_runner.task_timing import TaskTimes

TaskBody = Callable[[int], None]
CoroutineFactory = Callable[[int], Coroutine[Any, Any, None]]


def run_thread_per_task(times: TaskTimes, body: TaskBody, window: MeasurementWindow) -> None:
    """One OS thread per task, each created and started in turn inside the window.

    Creating the Thread object is part of asking for the task, as create_task and `go` are in the
    other models, so it is timed and its memory counts towards the peak.
    """
    failures: list[tuple[int, BaseException]] = []

    def guarded(index: int) -> None:
        try:
            body(index)
        except BaseException as exc:
            failures.append((index, exc))

    tasks = len(times.submitted)
    threads: list[threading.Thread] = []
    submitted = times.submitted
    clock = time.perf_counter_ns
    new_thread = threading.Thread
    window.open()
    try:
        for index in range(tasks):
            submitted[index] = clock()
            thread = new_thread(target=guarded, args=(index,))
            thread.start()
            threads.append(thread)
    except Exception as exc:
        for thread in threads:
            thread.join()
        raise SubmissionStopped(exc, len(threads)) from exc
    window.mark_last_submission()
    for thread in threads:
        thread.join()
    window.close()
    if failures:
        raise TaskFailed(*min(failures, key=lambda failure: failure[0]))


def run_thread_pool(times: TaskTimes, body: TaskBody, pool_size: int, window: MeasurementWindow) -> None:
    """concurrent.futures.ThreadPoolExecutor(pool_size): tasks queue for the pool's threads."""
    tasks = len(times.submitted)
    submitted = times.submitted
    clock = time.perf_counter_ns
    futures: list[Future[None]] = []
    executor = ThreadPoolExecutor(max_workers=pool_size)
    try:
        window.open()
        try:
            for index in range(tasks):
                submitted[index] = clock()
                futures.append(executor.submit(body, index))
        except Exception as exc:
            executor.shutdown(wait=True)
            raise SubmissionStopped(exc, len(futures)) from exc
        window.mark_last_submission()
        failures = [future.exception() for future in futures]
        window.close()
    finally:
        executor.shutdown(wait=True)
    for index, failure in enumerate(failures):
        if failure is not None:
            raise TaskFailed(index, failure)


def run_asyncio_tasks(times: TaskTimes, make_coroutine: CoroutineFactory, window: MeasurementWindow) -> None:
    """One asyncio task per task on a fresh event loop (asyncio.run), gathered at the end."""
    asyncio.run(_gather_tasks(times, make_coroutine, window))


async def _gather_tasks(times: TaskTimes, make_coroutine: CoroutineFactory, window: MeasurementWindow) -> None:
    tasks = len(times.submitted)
    submitted = times.submitted
    clock = time.perf_counter_ns
    create_task = asyncio.create_task
    pending: list[asyncio.Task[None]] = []
    window.open()
    try:
        for index in range(tasks):
            submitted[index] = clock()
            coroutine = make_coroutine(index)
            try:
                pending.append(create_task(coroutine))
            except BaseException:
                coroutine.close()
                raise
    except Exception as exc:
        await asyncio.gather(*pending, return_exceptions=True)
        raise SubmissionStopped(exc, len(pending)) from exc
    window.mark_last_submission()
    outcomes = await asyncio.gather(*pending, return_exceptions=True)
    window.close()
    for index, outcome in enumerate(outcomes):
        if isinstance(outcome, BaseException):
            raise TaskFailed(index, outcome)
