"""cpu and cpu-loop workloads: N tasks of pure CPU work, run by threading, asyncio or multiprocessing.

cpu: task i hashes payload_i * R with sha256 (the article's hashlib.sha256(data * 10000)); `checksum`
is the hex sha256 of task 0's input, as computed by task 0 itself. cpu-loop: task i hashes payload_i of
L = loop_bytes bytes with 32-bit FNV-1a in plain Python (payload.fnv1a32), so its work holds the GIL
where sha256 (C code) releases it; every task's hash is kept in an array of N allocated before the
window, and `checksum` is task 0's as 8 hex digits. payload_i is B (or L) bytes with byte j =
(i + j) % 256. Building the payload and hashing it are the task, as in the Go and Node runners.

Both workloads run through the same drivers, start-up and stamps; only the task body (Sha256Work,
LoopHashWork) differs. hashlib is imported by the sha256 body only, before the window (and before the
workers are forked), so a cpu-loop run never loads it.
"""

from __future__ import annotations

import os
import time
from typing import TYPE_CHECKING, Protocol

from concbench_runner import procfs
from concbench_runner.arguments import BenchmarkConfig
from concbench_runner.concurrency_models import run_asyncio_tasks, run_thread_per_task
from concbench_runner.failure_state import collect_at_failure
from concbench_runner.failures import SubmissionStopped, TaskFailed
from concbench_runner.measurement_window import MeasurementWindow
from concbench_runner.payload import base_payload, hex32, loop_task_hash, zeroed_hashes
from concbench_runner.task_timing import TaskTimes
from concbench_runner.workload_outcome import WorkloadOutcome

if TYPE_CHECKING:
    from concurrent.futures import Future, ProcessPoolExecutor

# (index, started_ns, finished_ns, result, worker pid, worker VmHWM bytes or None). result: cpu, task 0's
# digest (b"" for the others); cpu-loop, the task's FNV-1a.
WorkerReport = tuple[int, int, int, bytes | int, int, int | None]


def expected_checksum(payload_bytes: int, repeat: int) -> str:
    """hex sha256(payload_0 * repeat): the checksum a correct cpu run reports."""
    import hashlib

    return hashlib.sha256(base_payload(0, payload_bytes) * repeat).hexdigest()


def hash_in_worker(index: int, size: int, repeat: int) -> WorkerReport:
    """multiprocessing's cpu task; also reports the worker's pid and VmHWM (read after the task finished)."""
    import hashlib  # loaded by the parent before it forked this worker: a dictionary lookup here

    started = time.perf_counter_ns()
    digest = hashlib.sha256(base_payload(index, size) * repeat).digest()
    finished = time.perf_counter_ns()
    return index, started, finished, digest if index == 0 else b"", os.getpid(), procfs.peak_rss_bytes()


def loop_hash_in_worker(index: int, loop_bytes: int) -> WorkerReport:
    """multiprocessing's cpu-loop task; reports as hash_in_worker does, with the task's FNV-1a."""
    started = time.perf_counter_ns()
    value = loop_task_hash(index, loop_bytes)
    finished = time.perf_counter_ns()
    return index, started, finished, value, os.getpid(), procfs.peak_rss_bytes()


class CpuWork(Protocol):
    """A cpu-like workload's task body, the same for every approach."""

    def run(self, index: int) -> None:
        """Task `index`'s work, in this process; keeps what the checksum needs."""

    def submit(self, pool: ProcessPoolExecutor, index: int) -> Future[WorkerReport]:
        """Task `index`'s work, in a worker process."""

    def keep(self, index: int, result: bytes | int) -> None:
        """Keep a worker's result of task `index`."""

    def checksum(self) -> str: ...


class Sha256Work:
    """cpu: sha256(payload_i * R). Only task 0's digest is kept (checksum); the others are dropped, as in
    the article."""

    __slots__ = ("first_digest", "repeat", "sha256", "size")

    def __init__(self, size: int, repeat: int) -> None:
        import hashlib

        self.sha256 = hashlib.sha256
        self.size = size
        self.repeat = repeat
        self.first_digest = b""

    def run(self, index: int) -> None:
        digest = self.sha256(base_payload(index, self.size) * self.repeat).digest()
        if index == 0:
            self.first_digest = digest

    def submit(self, pool: ProcessPoolExecutor, index: int) -> Future[WorkerReport]:
        return pool.submit(hash_in_worker, index, self.size, self.repeat)

    def keep(self, index: int, result: bytes | int) -> None:
        if index == 0 and isinstance(result, bytes):
            self.first_digest = result

    def checksum(self) -> str:
        return self.first_digest.hex()


class LoopHashWork:
    """cpu-loop: FNV-1a of payload_i (L bytes) in plain Python, every hash kept in its slot."""

    __slots__ = ("hashes", "loop_bytes")

    def __init__(self, loop_bytes: int, tasks: int) -> None:
        self.loop_bytes = loop_bytes
        self.hashes = zeroed_hashes(tasks)

    def run(self, index: int) -> None:
        self.hashes[index] = loop_task_hash(index, self.loop_bytes)

    def submit(self, pool: ProcessPoolExecutor, index: int) -> Future[WorkerReport]:
        return pool.submit(loop_hash_in_worker, index, self.loop_bytes)

    def keep(self, index: int, result: bytes | int) -> None:
        if isinstance(result, int):
            self.hashes[index] = result

    def checksum(self) -> str:
        return hex32(self.hashes[0])


def run_cpu(config: BenchmarkConfig, window: MeasurementWindow) -> WorkloadOutcome:
    """Run the cpu or cpu-loop workload with config.approach: threading, asyncio or multiprocessing."""
    work: CpuWork
    if config.workload == "cpu-loop":
        work = LoopHashWork(config.loop_bytes, config.tasks)
    else:
        work = Sha256Work(config.payload_bytes, config.repeat)
    if config.approach == "multiprocessing":
        return _run_process_pool(config, work, window)
    times = TaskTimes(config.tasks)
    started, finished = times.started, times.finished
    clock = time.perf_counter_ns
    run = work.run

    def task(index: int) -> None:
        started[index] = clock()
        run(index)
        finished[index] = clock()

    async def task_in_coroutine(index: int) -> None:
        # Synchronous inside the coroutine, as the article does: the event loop is blocked meanwhile.
        task(index)

    if config.approach == "threading":
        run_thread_per_task(times, task, window)
    elif config.approach == "asyncio":
        run_asyncio_tasks(times, task_in_coroutine, window)
    else:
        raise ValueError(f"{config.approach!r} is not a {config.workload} approach")
    return WorkloadOutcome(times=times, checksum=work.checksum())


def _run_process_pool(config: BenchmarkConfig, work: CpuWork, window: MeasurementWindow) -> WorkloadOutcome:
    """A pool of `workers` processes (process_pool.start_process_pool), started before the window, one
    submission per task. The workers stamp started and finished; submitted is the parent's."""
    from concurrent.futures import wait

    from concbench_runner.process_pool import WorkerPeaks, start_process_pool

    times = TaskTimes(config.tasks)
    submitted = times.submitted
    clock = time.perf_counter_ns
    pool = start_process_pool(config.workers)
    pending: list[Future[WorkerReport]] = []
    try:
        window.open()
        try:
            for index in range(config.tasks):
                submitted[index] = clock()
                pending.append(work.submit(pool, index))
        except Exception as exc:
            at_failure = collect_at_failure()
            wait(pending)
            raise SubmissionStopped(exc, len(pending), at_failure=at_failure) from exc
        window.mark_last_submission()
        wait(pending)
        window.close()
        reports: list[WorkerReport] = []
        for index, future in enumerate(pending):
            try:
                reports.append(future.result())
            except Exception as exc:
                # A lost worker (BrokenProcessPool): read the state before shutdown() tears the pool down.
                raise TaskFailed(index, exc, collect_at_failure()) from exc
    finally:
        # shutdown(wait=True) joins the workers, so RUSAGE_CHILDREN now holds their CPU time.
        pool.shutdown(wait=True, cancel_futures=True)
    peaks = WorkerPeaks()
    for index, started, finished, result, pid, peak in reports:
        times.started[index] = started
        times.finished[index] = finished
        work.keep(index, result)
        peaks.add(pid, peak)
    return WorkloadOutcome(
        times=times,
        checksum=work.checksum(),
        worker_peak_rss_bytes=peaks.peaks(),
        runtime_details=peaks.runtime_details(config.workers),
    )
