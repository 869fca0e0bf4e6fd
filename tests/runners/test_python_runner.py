"""The Python runner at the article's parameters: every approach/workload pair, as a subprocess.

Each document must satisfy schema/result.schema.json (Draft 2020-12, formats checked) and the
logical bounds that hold on any machine. Figures are never compared with timing expectations; runs
are only compared with each other.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import subprocess
import sys
import sysconfig
from collections.abc import Callable, Sequence
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator, FormatChecker

from concbench_poly.results.schema import current_schema

REPO_ROOT = Path(__file__).resolve().parents[2]
RUNNER = REPO_ROOT / "runners" / "python" / "runner.py"
FNV1A_VECTORS = REPO_ROOT / "schema" / "fnv1a_vectors.json"

# The article: 1,000 tasks; io waits 10 ms; ThreadPool(50); multiprocessing(4);
# cpu hashes sha256(data * 10000) with 64-byte data.
N = 1000
D = 10
POOL_SIZE = 50
WORKERS = 4
PAYLOAD_BYTES = 64
REPEAT = 10000
# cpu-loop and mixed: the contract's default, 16 KiB of FNV-1a per task.
LOOP_BYTES = 16384

LOOP_APPROACHES = ["threading", "asyncio", "multiprocessing"]
MIXED_APPROACHES = ["threading", "asyncio", "threadpool", "asyncio-processpool", "asyncio-to-thread"]
# uvloop (asyncio's io tasks on uvloop's event loop) is installed in the 3.11 and 3.13 images only;
# the runner refuses it where it is missing (runners/python/tests/test_python_runner_runtimes.py).
HAS_UVLOOP = importlib.util.find_spec("uvloop") is not None
needs_uvloop = pytest.mark.skipif(not HAS_UVLOOP, reason="uvloop is not installed in this Python (the images have it)")
UVLOOP = pytest.param("uvloop", marks=needs_uvloop)
PAIRS = [
    ("io", "threading"),
    ("io", "asyncio"),
    ("io", "threadpool"),
    pytest.param("io", "uvloop", marks=needs_uvloop),
    ("cpu", "threading"),
    ("cpu", "asyncio"),
    ("cpu", "multiprocessing"),
    *(("cpu-loop", approach) for approach in LOOP_APPROACHES),
    *(("mixed", approach) for approach in MIXED_APPROACHES),
]


@cache
def validator() -> Draft202012Validator:
    return Draft202012Validator(current_schema(), format_checker=FormatChecker())


@cache
def run(workload: str, approach: str) -> dict[str, Any]:
    """Run one pair once per test session; exit 0 and exactly one JSON line on stdout."""
    args = ["--workload", workload, "--approach", approach, "--tasks", str(N)]
    if workload == "io":
        args += ["--io-ms", str(D), "--pool-size", str(POOL_SIZE)]
    elif workload == "cpu":
        args += ["--payload-bytes", str(PAYLOAD_BYTES), "--repeat", str(REPEAT), "--workers", str(WORKERS)]
    elif workload == "cpu-loop":
        args += ["--loop-bytes", str(LOOP_BYTES), "--workers", str(WORKERS)]
    else:
        args += ["--io-ms", str(D), "--loop-bytes", str(LOOP_BYTES), "--pool-size", str(POOL_SIZE)]
        args += ["--workers", str(WORKERS)]
    return run_runner(args)


def run_runner(args: Sequence[str], preexec_fn: Callable[[], None] | None = None) -> dict[str, Any]:
    """One run of the runner; exit 0 and exactly one JSON line on stdout."""
    completed = subprocess.run(
        [sys.executable, str(RUNNER), *args],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
        preexec_fn=preexec_fn,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    assert completed.stdout.endswith("\n") and completed.stdout.count("\n") == 1
    document = json.loads(completed.stdout)
    assert isinstance(document, dict)
    return document


def fnv1a_vector(index: int, loop_bytes: int) -> str:
    """The hex FNV-1a of task `index` from schema/fnv1a_vectors.json (the checksum every runner reports)."""
    vectors = json.loads(FNV1A_VECTORS.read_text())["vectors"]
    return next(str(v["hex"]) for v in vectors if (v["index"], v["loop_bytes"]) == (index, loop_bytes))


@pytest.mark.parametrize(("workload", "approach"), PAIRS)
def test_document_is_schema_valid(workload: str, approach: str) -> None:
    document = run(workload, approach)
    errors = [f"{list(error.absolute_path)}: {error.message}" for error in validator().iter_errors(document)]
    assert errors == []
    assert document["status"] == "ok"
    assert document["error"] is None
    assert document["language"] == "python"
    assert (document["workload"]["kind"], document["approach"]) == (workload, approach)
    assert document["workload"]["tasks"] == N


@pytest.mark.parametrize(("workload", "approach"), PAIRS)
def test_logical_bounds(workload: str, approach: str) -> None:
    document = run(workload, approach)
    total = document["total_ms"]
    latency = document["latency_ms"]
    memory = document["memory"]
    cpu = document["cpu"]
    assert total > 0
    assert document["throughput_per_s"] == pytest.approx(N / (total / 1000))
    assert latency["end_to_end"]["max"] <= total
    for kind in ("service", "end_to_end"):
        assert len(latency["cdf"][kind]) == 101
        assert latency["cdf"][kind][50] == latency[kind]["p50"]
    assert latency["service"]["p99"] <= latency["end_to_end"]["max"]
    assert memory["peak_rss_bytes"] >= memory["baseline_rss_bytes"] > 0
    assert cpu["user_s"] + cpu["system_s"] > 0
    assert cpu["peak_threads"] >= 1
    # Every task ran, and a running task is in flight (submitted <= started for each task).
    concurrency = document["concurrency"]
    assert 1 <= concurrency["peak_running"] <= concurrency["peak_in_flight"] <= N
    # The last submission is inside the window.
    assert 0 <= concurrency["submit_ms"] <= total


@pytest.mark.parametrize("approach", ["threading", "asyncio", "threadpool"])
def test_io_every_task_waits_its_duration(approach: str) -> None:
    document = run("io", approach)
    assert document["latency_ms"]["service"]["p50"] >= D
    assert document["latency_ms"]["cdf"]["service"][0] >= D
    assert document["checksum"] is None


@needs_uvloop
def test_io_uvloop_waits_its_duration_to_the_millisecond() -> None:
    # libuv's loop clock counts whole milliseconds: as Node's setTimeout, a uvloop timer may fire up to
    # 1 ms early, which the runner leaves as it is and wakeup_ms shows.
    document = run("io", "uvloop")
    assert document["latency_ms"]["cdf"]["service"][0] > D - 1
    assert document["wakeup_ms"]["earliest"] > -1
    assert document["checksum"] is None


def test_io_threadpool_runs_in_rounds_of_pool_size() -> None:
    document = run("io", "threadpool")
    rounds = N // POOL_SIZE
    assert document["workload"]["pool_size"] == POOL_SIZE
    assert document["total_ms"] >= rounds * D
    # Guaranteed: each pool thread runs one task at a time, each for >= D, none before the window
    # opened, so at most POOL_SIZE * (rounds - 1) tasks finish before rounds * D. The other POOL_SIZE
    # (or more) finish at >= rounds * D after the window opened and were submitted at most submit_ms
    # after it: their end-to-end is >= rounds * D - submit_ms, and with nearest rank the 990th of
    # 1000 values is among the top 50, so p99 is too.
    p99 = document["latency_ms"]["end_to_end"]["p99"]
    submit_ms = document["concurrency"]["submit_ms"]
    assert p99 >= rounds * D - submit_ms
    # Whenever submitting took at most D (the usual case, the pool's threads being started before the
    # window), that bound is at least (rounds - 1) * D: the queue really holds nearly all 20 rounds.
    if submit_ms <= D:
        assert p99 >= (rounds - 1) * D
    # The pool's threads are started before the window (its first Threads read) and no more start
    # inside it: the largest count seen is the main thread plus exactly POOL_SIZE pool threads.
    assert document["cpu"]["peak_threads"] == POOL_SIZE + 1


@pytest.mark.parametrize("approach", ["asyncio", UVLOOP])
def test_io_asyncio_is_concurrent(approach: str) -> None:
    document = run("io", approach)
    assert document["workload"]["pool_size"] is None
    assert document["total_ms"] < N * D / 10
    # All N tasks are created before the loop runs any, and all start in one loop iteration before
    # any timer can fire: exactly N in flight and running at once, on any machine.
    concurrency = document["concurrency"]
    assert (concurrency["peak_running"], concurrency["peak_in_flight"]) == (N, N)


def test_io_threadpool_runs_at_most_pool_size_tasks() -> None:
    concurrency = run("io", "threadpool")["concurrency"]
    assert 1 <= concurrency["peak_running"] <= POOL_SIZE
    # Generous, not exact: the tasks beyond the pool were submitted before the first one finished,
    # so they queued. N in flight is typical on an idle machine but not guaranteed (the last
    # submissions can come after the first completions; ~750 of 1000 on a loaded 2-core box).
    assert concurrency["peak_in_flight"] > POOL_SIZE


def test_cpu_asyncio_runs_one_task_at_a_time() -> None:
    # Each coroutine hashes without awaiting: one runs at a time, all were submitted up front.
    concurrency = run("cpu", "asyncio")["concurrency"]
    assert (concurrency["peak_running"], concurrency["peak_in_flight"]) == (1, N)


def test_cpu_multiprocessing_runs_at_most_workers_tasks() -> None:
    # A worker process runs one task at a time.
    assert 1 <= run("cpu", "multiprocessing")["concurrency"]["peak_running"] <= WORKERS


@pytest.mark.parametrize("approach", ["threading", "asyncio", "multiprocessing"])
def test_cpu_checksum_matches_hashlib(approach: str) -> None:
    document = run("cpu", approach)
    payload_0 = bytes(j % 256 for j in range(PAYLOAD_BYTES))
    assert document["checksum"] == hashlib.sha256(payload_0 * REPEAT).hexdigest()
    assert document["workload"]["workers"] == (WORKERS if approach == "multiprocessing" else None)


@pytest.mark.parametrize("approach", LOOP_APPROACHES)
def test_cpu_loop_checksum_is_the_shared_vector(approach: str) -> None:
    document = run("cpu-loop", approach)
    assert document["checksum"] == fnv1a_vector(0, LOOP_BYTES)
    assert document["workload"]["loop_bytes"] == LOOP_BYTES
    assert document["workload"]["workers"] == (WORKERS if approach == "multiprocessing" else None)
    assert document["wakeup_ms"] is None


def test_cpu_loop_asyncio_runs_one_task_at_a_time() -> None:
    concurrency = run("cpu-loop", "asyncio")["concurrency"]
    assert (concurrency["peak_running"], concurrency["peak_in_flight"]) == (1, N)


@pytest.mark.parametrize("approach", MIXED_APPROACHES)
def test_mixed_every_task_waits_then_hashes(approach: str) -> None:
    document = run("mixed", approach)
    assert document["checksum"] == fnv1a_vector(0, LOOP_BYTES)
    assert document["workload"]["io_ms"] == D
    assert document["workload"]["loop_bytes"] == LOOP_BYTES
    assert document["latency_ms"]["cdf"]["service"][0] >= D
    # Python's sleeps never return early, and woke comes before the CPU work: each order statistic of
    # the wake-up error is at most the service time's, minus D.
    wakeup = document["wakeup_ms"]
    assert wakeup["early_tasks"] == 0
    assert 0 <= wakeup["p50"] <= wakeup["p99"] <= document["latency_ms"]["service"]["p99"] - D + 1e-6


# The mixed workload's logical bound (issue 12): N = 200 tasks on one core, each waits D = 10 ms, then
# does C = 2 ms of that core's cpu-loop work.
MIXED_N = 200
MIXED_D = 10
MIXED_C_MS = 2
CALIBRATION_TASKS = 200
CALIBRATION_BYTES = 16384


def one_cpu() -> int:
    """The CPU every pinned run of a comparison uses: the first this test may use."""
    return min(os.sched_getaffinity(0))


def pinned_run(args: Sequence[str], cpu: int) -> dict[str, Any]:
    """A run whose process (and every worker it forks) may only use `cpu`."""
    document = run_runner(args, preexec_fn=lambda: os.sched_setaffinity(0, {cpu}))
    assert document["status"] == "ok"
    assert document["environment"]["parallelism"] == 1
    return document


def one_core_loop_bytes(cpu_ms: float, cpu: int) -> int:
    """loop_bytes of cpu_ms of work on `cpu`, as the orchestrator calibrates it (service.calibrate_mixed):
    one cpu-loop run on that core gives its bytes per ms."""
    args = ["--workload", "cpu-loop", "--approach", "threading", "--tasks", str(CALIBRATION_TASKS)]
    document = pinned_run([*args, "--loop-bytes", str(CALIBRATION_BYTES)], cpu)
    bytes_per_ms = CALIBRATION_TASKS * CALIBRATION_BYTES / float(document["total_ms"])
    return max(1, round(cpu_ms * bytes_per_ms))


def test_mixed_asyncio_alone_wakes_later_than_with_a_process_pool() -> None:
    """asyncio alone hashes on the event loop, so a task's wake-up waits for the work of the tasks that
    woke before it; with a ProcessPool the loop only hands the work over. Both runs on the same single
    core, compared with each other: no absolute time is asserted."""
    cpu = one_cpu()
    loop_bytes = one_core_loop_bytes(MIXED_C_MS, cpu)
    args = ["--workload", "mixed", "--tasks", str(MIXED_N), "--io-ms", str(MIXED_D), "--loop-bytes", str(loop_bytes)]
    alone = pinned_run([*args, "--approach", "asyncio"], cpu)
    with_pool = pinned_run([*args, "--approach", "asyncio-processpool", "--workers", "1"], cpu)
    assert with_pool["workload"]["workers"] == 1
    assert alone["checksum"] == with_pool["checksum"]
    assert alone["wakeup_ms"]["p99"] > with_pool["wakeup_ms"]["p99"]


# cpu-loop at one and at two cores (issue 11): FNV-1a in Python's own code holds the GIL.
SCALING_N = 400


def two_cpus() -> tuple[int, int]:
    cpus = sorted(os.sched_getaffinity(0))
    if len(cpus) < 2:
        pytest.skip(f"needs two CPUs to compare one core with two; this process may use {cpus}")
    return cpus[0], cpus[1]


def loop_total_ms(approach: str, cpus: set[int]) -> float:
    args = ["--workload", "cpu-loop", "--approach", approach, "--tasks", str(SCALING_N)]
    args += ["--loop-bytes", str(LOOP_BYTES), "--workers", "2"]
    document = run_runner(args, preexec_fn=lambda: os.sched_setaffinity(0, cpus))
    assert document["status"] == "ok" and document["environment"]["parallelism"] == len(cpus)
    return float(document["total_ms"])


@pytest.mark.skipif(
    not getattr(sys, "_is_gil_enabled", lambda: True)(), reason="a free-threaded CPython runs threads in parallel"
)
def test_cpu_loop_threads_speed_up_less_than_processes_on_two_cores() -> None:
    """Speedup = time on one core / time on two, per approach; the two speedups are compared with each
    other, never with a figure: the GIL lets one thread hash at a time, two processes hash at once."""
    first, second = two_cpus()
    speedup = {
        approach: loop_total_ms(approach, {first}) / loop_total_ms(approach, {first, second})
        for approach in ("threading", "multiprocessing")
    }
    assert speedup["threading"] < speedup["multiprocessing"], speedup


def test_runtime_is_the_interpreter_that_ran() -> None:
    """runtime.gil_enabled: sys._is_gil_enabled() (null before 3.13); runtime.build_flags: CONFIG_ARGS."""
    runtime = run("io", "asyncio")["runtime"]
    is_gil_enabled = getattr(sys, "_is_gil_enabled", None)
    assert runtime["gil_enabled"] is (bool(is_gil_enabled()) if callable(is_gil_enabled) else None)
    assert runtime["build_flags"] == sysconfig.get_config_var("CONFIG_ARGS")
