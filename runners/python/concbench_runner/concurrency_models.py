"""The three in-process ways of running N tasks: a thread per task, a thread pool, asyncio tasks, on
asyncio's own event loop or on another (uvloop's), plus start_default_executor, which readies the
executor behind asyncio.to_thread before the window.

Each driver stamps `submitted` just before it asks for a task (Thread() + start / executor.submit /
asyncio.create_task); the task body stamps `started` and `finished` itself. The drivers open the
measurement window right before the first submission and close it once every task has completed.
asyncio tasks are named by their number, str(index), in place of asyncio's own "Task-N": a task can
find its stamps from its own name instead of holding its index (io_workload.AsyncWaits).

If a submission fails (a thread cannot start, memory runs out...), the driver stops submitting,
reads error.at_failure (the counts of the state that failed), then waits for the tasks already
submitted and raises SubmissionStopped. A task that raises makes the run fail with TaskFailed once
all tasks are done.

asyncio and concurrent.futures are imported by the approaches that use them only: the runner's whole
process is what is compared with a bare program of the same task shape, and a thread-per-task run has
no use for asyncio's ~8 MB of modules and libraries (ssl).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, Any

from concbench_runner.failure_state import collect_at_failure
from concbench_runner.failures import SubmissionStopped, TaskFailed, describe, report_on_stderr
from concbench_runner.measurement_window import MeasurementWindow
from concbench_runner.task_timing import TaskTimes

if TYPE_CHECKING:
    import asyncio
    from concurrent.futures import Future, ThreadPoolExecutor

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

    tasks = len(times)
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
        at_failure = collect_at_failure()  # before joining: the threads that did start are still alive
        for thread in threads:
            thread.join()
        raise SubmissionStopped(exc, len(threads), at_failure=at_failure) from exc
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
    from concurrent.futures import ThreadPoolExecutor

    tasks = len(times)
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
            at_failure = collect_at_failure()
            executor.shutdown(wait=True)
            raise SubmissionStopped(exc, len(futures), at_failure=at_failure) from exc
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
        at_failure = collect_at_failure()
        barrier.abort()  # releases the threads already waiting, so shutdown() can join them
        executor.shutdown(wait=True)
        doing = f"starting pool thread {len(warm_up) + 1} of {pool_size}"
        raise SubmissionStopped(exc, 0, doing, at_failure) from exc
    barrier.wait(timeout=POOL_START_TIMEOUT_S)
    for future in warm_up:
        future.result()


def run_asyncio_tasks(
    times: TaskTimes,
    make_coroutine: CoroutineFactory,
    window: MeasurementWindow,
    prepare: Callable[[asyncio.AbstractEventLoop], None] | None = None,
    loop_factory: Callable[[], asyncio.AbstractEventLoop] | None = None,
) -> None:
    """One asyncio task per task on a fresh event loop, gathered at the end.

    prepare: called on the running loop before the window opens (e.g. start_default_executor).
    loop_factory: the event loop to run on (uvloop.new_event_loop); None: asyncio's own, as
    asyncio.run(), which is this same Runner without a factory.
    """
    import asyncio

    with asyncio.Runner(loop_factory=loop_factory) as runner:
        runner.run(_gather_tasks(times, make_coroutine, window, prepare))


async def _gather_tasks(
    times: TaskTimes,
    make_coroutine: CoroutineFactory,
    window: MeasurementWindow,
    prepare: Callable[[asyncio.AbstractEventLoop], None] | None,
) -> None:
    import asyncio

    loop = asyncio.get_running_loop()
    loop.set_exception_handler(_report_loop_error)
    if prepare is not None:
        prepare(loop)
    tasks = len(times)
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
                pending.append(create_task(coroutine, name=str(index)))
            except BaseException:
                coroutine.close()
                raise
    except Exception as exc:
        at_failure = collect_at_failure()  # before the tasks already created run to their end
        await asyncio.gather(*pending, return_exceptions=True)
        raise SubmissionStopped(exc, len(pending), at_failure=at_failure) from exc
    window.mark_last_submission()
    # As `await asyncio.gather(*[...])` does: the list becomes the call's tuple and is freed before the
    # call, the tuple once gather() returns. From then on only the gathering future holds the tasks,
    # and no list of the runner's own is alive while they wait.
    created = tuple(pending)
    del pending
    gathering = asyncio.gather(*created, return_exceptions=True)
    del created
    outcomes = await gathering
    window.close()
    for index, outcome in enumerate(outcomes):
        if isinstance(outcome, BaseException):
            raise TaskFailed(index, outcome)


def start_default_executor(loop: asyncio.AbstractEventLoop) -> int:
    """Give the loop the default executor asyncio would create at its first run_in_executor(None, ...)
    (what asyncio.to_thread uses), and start all its threads now, before the window; returns their number.

    asyncio creates it lazily as ThreadPoolExecutor(thread_name_prefix="asyncio"), whose threads start
    one per submission (_start_pool_threads): left alone, the window's first to_thread calls would pay
    for the executor's construction and its thread starts, which the threadpool approach keeps out of
    the window. The same executor, made early: its size is still ThreadPoolExecutor's default,
    min(32, cpu_count + 4).
    """
    from concurrent.futures import ThreadPoolExecutor

    executor = ThreadPoolExecutor(thread_name_prefix="asyncio")
    loop.set_default_executor(executor)
    threads = executor._max_workers
    _start_pool_threads(executor, threads)
    return threads


def _report_loop_error(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
    """The event loop's exception handler: one stderr line instead of a logged traceback."""
    exception = context.get("exception")
    detail = f": {describe(exception)}" if isinstance(exception, BaseException) else ""
    report_on_stderr(f"runner: asyncio: {context.get('message', 'error in the event loop')}{detail}\n")
