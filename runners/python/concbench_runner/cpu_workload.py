"""cpu workload: task i hashes payload_i * R with sha256 (the article's hashlib.sha256(data * 10000)).

payload_i is B bytes with byte j = (i + j) % 256. Building it, repeating it and hashing it are the
task, as in the Go and Node runners. `checksum` is the hex sha256 of task 0's input, as computed by
task 0 itself, so it is identical across languages for the same B and R.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import sys
import time
from concurrent.futures import Future, ProcessPoolExecutor, wait

from concbench_runner import procfs
from concbench_runner.arguments import BenchmarkConfig
from concbench_runner.concurrency_models import run_asyncio_tasks, run_thread_per_task
from concbench_runner.failures import SubmissionStopped, TaskFailed
from concbench_runner.measurement_window import MeasurementWindow
from concbench_runner.task_timing import TaskTimes
from concbench_runner.workload_outcome import WorkloadOutcome

# fork is Linux's default up to Python 3.13; stated so that 3.14's forkserver default does not
# silently change what is measured (fork: workers share the parent's pages until they write).
MULTIPROCESSING_START_METHOD = "fork"
BYTE_VALUES = bytes(range(256))

# (index, started_ns, finished_ns, digest, worker pid, worker VmHWM bytes or None)
WorkerReport = tuple[int, int, int, bytes, int, int | None]


def base_payload(index: int, size: int) -> bytes:
    """payload_i: `size` bytes, byte j = (index + j) % 256."""
    rotation = index % 256
    cycle = BYTE_VALUES[rotation:] + BYTE_VALUES[:rotation]
    return (cycle * (size // 256 + 1))[:size]


def expected_checksum(payload_bytes: int, repeat: int) -> str:
    """hex sha256(payload_0 * repeat): the checksum a correct run reports."""
    return hashlib.sha256(base_payload(0, payload_bytes) * repeat).hexdigest()


def hash_in_worker(index: int, size: int, repeat: int) -> WorkerReport:
    """multiprocessing task; also reports the worker's pid and VmHWM (read after the task finished)."""
    started = time.perf_counter_ns()
    digest = hashlib.sha256(base_payload(index, size) * repeat).digest()
    finished = time.perf_counter_ns()
    return index, started, finished, digest, os.getpid(), procfs.peak_rss_bytes()


def run_cpu(config: BenchmarkConfig, window: MeasurementWindow) -> WorkloadOutcome:
    """Run the cpu workload with config.approach: threading, asyncio or multiprocessing."""
    if config.approach == "multiprocessing":
        return _run_process_pool(config, window)
    times = TaskTimes(config.tasks)
    started, finished = times.started, times.finished
    digests: list[bytes] = [b""] * config.tasks
    size, repeat = config.payload_bytes, config.repeat
    clock = time.perf_counter_ns
    sha256 = hashlib.sha256

    def hash_payload(index: int) -> None:
        started[index] = clock()
        digests[index] = sha256(base_payload(index, size) * repeat).digest()
        finished[index] = clock()

    async def hash_payload_in_coroutine(index: int) -> None:
        # Synchronous inside the coroutine, as the article does: the event loop is blocked meanwhile.
        hash_payload(index)

    if config.approach == "threading":
        run_thread_per_task(times, hash_payload, window)
    elif config.approach == "asyncio":
        run_asyncio_tasks(times, hash_payload_in_coroutine, window)
    else:
        raise ValueError(f"{config.approach!r} is not a cpu approach")
    return WorkloadOutcome(times=times, checksum=digests[0].hex())


def _run_process_pool(config: BenchmarkConfig, window: MeasurementWindow) -> WorkloadOutcome:
    """A pool of `workers` processes, one submission per task.

    concurrent.futures' ProcessPoolExecutor rather than multiprocessing.Pool: when a worker dies
    (the OOM killer picks the largest process of the cgroup), Pool replaces it and waits forever for
    the lost task, while the executor fails every pending task with BrokenProcessPool at once.
    The workers are started before the window, as Node's worker_threads pool is.
    """
    times = TaskTimes(config.tasks)
    submitted = times.submitted
    size, repeat = config.payload_bytes, config.repeat
    clock = time.perf_counter_ns
    context = multiprocessing.get_context(MULTIPROCESSING_START_METHOD)
    # Forked workers inherit stdout's buffer: it must be empty so they can never print a copy of it.
    sys.stdout.flush()
    try:
        pool = ProcessPoolExecutor(max_workers=config.workers, mp_context=context)
        # The executor forks lazily; make it start every worker now, outside the window.
        for warm in [pool.submit(os.getpid) for _ in range(config.workers)]:
            warm.result()
    except Exception as exc:
        raise SubmissionStopped(exc, 0, f"starting {config.workers} worker processes") from exc
    pending: list[Future[WorkerReport]] = []
    try:
        window.open()
        try:
            for index in range(config.tasks):
                submitted[index] = clock()
                pending.append(pool.submit(hash_in_worker, index, size, repeat))
        except Exception as exc:
            wait(pending)
            raise SubmissionStopped(exc, len(pending)) from exc
        window.mark_last_submission()
        wait(pending)
        window.close()
        reports: list[WorkerReport] = []
        for index, future in enumerate(pending):
            try:
                reports.append(future.result())
            except Exception as exc:
                raise TaskFailed(index, exc) from exc
    finally:
        # shutdown(wait=True) joins the workers, so RUSAGE_CHILDREN now holds their CPU time.
        pool.shutdown(wait=True, cancel_futures=True)
    return _collect_reports(times, reports, config.workers)


def _collect_reports(times: TaskTimes, reports: list[WorkerReport], workers: int) -> WorkloadOutcome:
    peak_by_pid: dict[int, int] = {}
    digest_of_first = b""
    for index, started, finished, digest, pid, peak in reports:
        times.started[index] = started
        times.finished[index] = finished
        if index == 0:
            digest_of_first = digest
        if peak is not None:
            peak_by_pid[pid] = max(peak, peak_by_pid.get(pid, 0))
    worker_peak = sum(peak_by_pid.values())
    return WorkloadOutcome(
        times=times,
        checksum=digest_of_first.hex(),
        worker_peak_rss_bytes=worker_peak,
        runtime_details={
            "multiprocessing_start_method": MULTIPROCESSING_START_METHOD,
            "pool_workers": workers,
            "worker_processes_reporting": len(peak_by_pid),
            "worker_peak_rss_bytes": worker_peak,
        },
    )
