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
# Upper bound for the pool's threads to start before the window (a second at most in practice).
POOL_START_TIMEOUT_S = 60.0


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
    """concurrent.futures.ThreadPoolExecutor(pool_size): tasks queue for the pool's threads.

    The pool's threads are started before the window (see _start_pool_threads), as the
    multiprocessing and Node worker_threads pools start their workers, so the window holds the
    submissions and the tasks, not the pool's construction.
    """
    tasks = len(times.submitted)
    submitted = times.submitted
    clock = time.perf_counter_ns
    futures: list[Future[None]] = []
    executor = ThreadPoolExecutor(max_workers=pool_size)
    try:
        _start_pool_threads(executor, pool_size)
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


def _start_pool_threads(executor: ThreadPoolExecutor, pool_size: int) -> None:
    """Make the executor start all pool_size threads now, and leave them idle.

    Why: ThreadPoolExecutor starts its threads lazily, one inside each submit() while fewer than
    max_workers exist and none is idle. Left alone, the first pool_size submissions of the window
    would each pay for a thread start (~17 ms for 50 threads on a loaded 2-core box), which is the
    pool's construction, not the cost of asking for a task. A no-op task would not do: an idle
    thread would pick up the next one and no new thread would start. So each warm-up task waits on a
    barrier that only opens once pool_size of them (one per thread) and this thread have arrived:
    every submission finds no idle thread and starts one. Then the warm-up tasks end and the threads
    sit idle on the executor's queue, ready for the window's submissions.
    """
    barrier = threading.Barrier(pool_size + 1)
    warm_up: list[Future[int]] = []
    try:
        for _ in range(pool_size):
            warm_up.append(executor.submit(barrier.wait))
    except Exception as exc:
        barrier.abort()  # releases the threads already waiting, so shutdown() can join them
        executor.shutdown(wait=True)
        raise SubmissionStopped(exc, 0, f"starting pool thread {len(warm_up) + 1} of {pool_size}") from exc
    barrier.wait(timeout=POOL_START_TIMEOUT_S)
    for future in warm_up:
        future.result()


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
