"""Real runs of every approach: schema-valid documents and logical bounds on their figures.

io runs use the article's parameters (N=1000 tasks of D=10 ms); cpu, cpu-loop and mixed runs use
smaller sizes to keep the suite quick (tests/runners/test_python_runner.py runs the article's sizes).
No assertion depends on how fast this machine is, only on what must hold on any machine.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import cache
from typing import Any

import pytest
from python_runner_harness import (
    ARTICLE_IO_MS,
    ARTICLE_POOL_SIZE,
    ARTICLE_TASKS,
    SCHEMA_DIR,
    independent_checksum,
    run_ok,
)

from concbench_runner.payload import hex32, loop_task_hash

IO_APPROACHES = ("threading", "asyncio", "threadpool")
CPU_APPROACHES = ("threading", "asyncio", "multiprocessing")
CPU_TASKS = 50
CPU_REPEAT = 1000
CPU_PAYLOAD = 64
# cpu-loop: a size schema/fnv1a_vectors.json has a vector for (task 0), small enough to stay quick.
LOOP_APPROACHES = ("threading", "asyncio", "multiprocessing")
LOOP_BYTES = 256
# mixed: the small case (50 tasks, io 10 ms, 4096 bytes of FNV-1a each).
MIXED_APPROACHES = ("threading", "asyncio", "threadpool", "asyncio-processpool", "asyncio-to-thread")
MIXED_TASKS = 50
MIXED_IO_MS = 10
MIXED_LOOP_BYTES = 4096
MIXED_POOL_SIZE = 10
WORKERS = 2
# Approaches whose worker processes count in memory.processes.
PROCESS_POOL_APPROACHES = ("multiprocessing", "asyncio-processpool")
FNV1A_VECTORS: list[dict[str, Any]] = json.loads((SCHEMA_DIR / "fnv1a_vectors.json").read_text())["vectors"]


def expected_loop_checksum(loop_bytes: int) -> str:
    """Task 0's FNV-1a: the shared vector when there is one, else the vector-checked function's."""
    for vector in FNV1A_VECTORS:
        if (vector["index"], vector["loop_bytes"]) == (0, loop_bytes):
            return str(vector["hex"])
    return hex32(loop_task_hash(0, loop_bytes))


@cache
def io_document(approach: str) -> dict[str, Any]:
    """One run per approach for the whole module, at the article's io parameters."""
    args = ["--workload", "io", "--approach", approach, "--tasks", str(ARTICLE_TASKS)]
    return run_ok([*args, "--io-ms", str(ARTICLE_IO_MS)])


@cache
def cpu_document(approach: str) -> dict[str, Any]:
    args = ["--workload", "cpu", "--approach", approach, "--tasks", str(CPU_TASKS)]
    return run_ok([*args, "--repeat", str(CPU_REPEAT), "--payload-bytes", str(CPU_PAYLOAD), "--workers", "2"])


@cache
def loop_document(approach: str) -> dict[str, Any]:
    args = ["--workload", "cpu-loop", "--approach", approach, "--tasks", str(CPU_TASKS)]
    return run_ok([*args, "--loop-bytes", str(LOOP_BYTES), "--workers", str(WORKERS)])


@cache
def mixed_document(approach: str) -> dict[str, Any]:
    args = ["--workload", "mixed", "--approach", approach, "--tasks", str(MIXED_TASKS)]
    args += ["--io-ms", str(MIXED_IO_MS), "--loop-bytes", str(MIXED_LOOP_BYTES)]
    return run_ok([*args, "--pool-size", str(MIXED_POOL_SIZE), "--workers", str(WORKERS)])


def check_common_bounds(document: dict[str, Any], tasks: int) -> None:
    """What holds for every ok document, whatever the machine."""
    assert document["language"] == "python"
    assert document["runtime"]["name"] == "cpython"
    assert document["started_at"].endswith("Z")
    total = document["total_ms"]
    assert total > 0
    assert document["throughput_per_s"] == pytest.approx(tasks / (total / 1000))
    latency = document["latency_ms"]
    for kind in ("service", "end_to_end"):
        distribution = latency[kind]
        points = latency["cdf"][kind]
        assert points == sorted(points)
        assert points[50] == distribution["p50"]
        assert points[90] == distribution["p90"]
        assert points[99] == distribution["p99"]
        assert points[100] == distribution["max"]
        assert points[0] <= distribution["mean"] <= points[100]
        # The window encloses every task, from before its submission to after its end.
        assert distribution["max"] <= total
    # service <= end_to_end task by task, hence percentile by percentile.
    for service, end_to_end in zip(latency["cdf"]["service"], latency["cdf"]["end_to_end"], strict=True):
        assert service <= end_to_end
    memory = document["memory"]
    assert memory["peak_rss_bytes"] >= memory["baseline_rss_bytes"] > 0
    assert memory["per_task_bytes"] == pytest.approx((memory["peak_rss_bytes"] - memory["baseline_rss_bytes"]) / tasks)
    # peak_rss_bytes is the runner's own VmHWM: never above its own VmPeak (workers are in `processes`).
    assert memory["vm_peak_bytes"] >= memory["peak_rss_bytes"]
    processes = memory["processes"]
    assert processes["count"] >= 1
    assert processes["peak_rss_sum_bytes"] >= memory["peak_rss_bytes"]
    if document["approach"] not in PROCESS_POOL_APPROACHES:
        assert processes == {"count": 1, "peak_rss_sum_bytes": memory["peak_rss_bytes"]}
    assert memory["cgroup_baseline_bytes"] is None or memory["cgroup_baseline_bytes"] >= 0
    assert isinstance(memory["runtime"]["gc_counts"], list)
    assert memory["runtime"]["allocated_blocks"] > 0
    cpu = document["cpu"]
    assert cpu["user_s"] + cpu["system_s"] > 0
    assert cpu["peak_threads"] >= 1
    checks = document["checks"]
    # Whole-process CPU since start (self + reaped children) includes the window's.
    assert checks["process_cpu_s"] >= cpu["user_s"] + cpu["system_s"] - 1e-6
    for counter in ("swap_in_pages", "swap_out_pages", "throttled_periods"):
        assert checks[counter] is None or checks[counter] >= 0
    environment = document["environment"]
    assert 1 <= environment["parallelism"] <= environment["cpu_count"]
    # Every task ran, and a running task is in flight (submitted <= started for each task).
    concurrency = document["concurrency"]
    assert 1 <= concurrency["peak_running"] <= concurrency["peak_in_flight"] <= tasks
    # The last submission is inside the window.
    assert 0 <= concurrency["submit_ms"] <= total


@pytest.mark.parametrize("approach", IO_APPROACHES)
def test_io_document(approach: str) -> None:
    document = io_document(approach)
    check_common_bounds(document, ARTICLE_TASKS)
    assert document["approach"] == approach
    assert document["checksum"] is None
    workload = document["workload"]
    assert workload == {
        "kind": "io",
        "tasks": ARTICLE_TASKS,
        "io_ms": ARTICLE_IO_MS,
        "pool_size": ARTICLE_POOL_SIZE if approach == "threadpool" else None,
        "workers": None,
    }
    # Every task sleeps at least D: no task can be served faster than its wait.
    assert document["latency_ms"]["service"]["p50"] >= ARTICLE_IO_MS
    assert document["latency_ms"]["cdf"]["service"][0] >= ARTICLE_IO_MS
    assert document["total_ms"] >= ARTICLE_IO_MS
    # Python's sleeps never return early, and for io woke is the finished stamp: the wake-up error is
    # the service time minus D, task by task, so its order statistics are the service ones minus D.
    wakeup = document["wakeup_ms"]
    assert wakeup["early_tasks"] == 0
    assert 0 <= wakeup["earliest"] <= wakeup["p50"] <= wakeup["p99"] <= wakeup["latest"]
    service_cdf = document["latency_ms"]["cdf"]["service"]
    assert wakeup["earliest"] == pytest.approx(service_cdf[0] - ARTICLE_IO_MS, abs=1e-6)
    assert wakeup["p50"] == pytest.approx(service_cdf[50] - ARTICLE_IO_MS, abs=1e-6)
    assert wakeup["p99"] == pytest.approx(service_cdf[99] - ARTICLE_IO_MS, abs=1e-6)
    assert wakeup["latest"] == pytest.approx(service_cdf[100] - ARTICLE_IO_MS, abs=1e-6)


def test_io_threadpool_queues_in_rounds() -> None:
    document = io_document("threadpool")
    rounds = ARTICLE_TASKS // ARTICLE_POOL_SIZE  # 20 rounds of D each on every pool thread
    assert document["total_ms"] >= rounds * ARTICLE_IO_MS
    # At least POOL_SIZE tasks finish >= rounds * D after the window opened (a pool thread runs one
    # task at a time, each >= D) and every task was submitted <= submit_ms after it; nearest-rank p99
    # of 1000 is among the top 50 (runners/README.md, submit_ms).
    submit_ms = document["concurrency"]["submit_ms"]
    assert document["latency_ms"]["end_to_end"]["p99"] >= rounds * ARTICLE_IO_MS - submit_ms
    # The pool's threads are started before the window, never inside it: main + exactly the pool.
    assert document["cpu"]["peak_threads"] == ARTICLE_POOL_SIZE + 1
    # Only the pool's threads run tasks, one at a time each.
    concurrency = document["concurrency"]
    assert 1 <= concurrency["peak_running"] <= ARTICLE_POOL_SIZE
    # Generous, not exact: tasks beyond the pool were submitted before the first one finished (it
    # takes D), so they queued. peak_in_flight == N is typical on an idle machine but not guaranteed:
    # the last submissions can come after the first completions (on a loaded box, ~750 of 1000).
    assert concurrency["peak_in_flight"] > ARTICLE_POOL_SIZE


def test_io_asyncio_is_not_serialised() -> None:
    document = io_document("asyncio")
    assert document["total_ms"] < ARTICLE_TASKS * ARTICLE_IO_MS / 10
    assert document["cpu"]["peak_threads"] == 1  # one event loop thread, no helper threads
    # All tasks are created (submitted) before the loop runs any, and all of them start in one loop
    # iteration before any timer can fire: exactly N in flight and running at once, on any machine.
    concurrency = document["concurrency"]
    assert (concurrency["peak_running"], concurrency["peak_in_flight"]) == (ARTICLE_TASKS, ARTICLE_TASKS)


def test_io_threading_runs_threads() -> None:
    document = io_document("threading")
    # Right after the last start() that thread is still sleeping: main + at least one.
    assert document["cpu"]["peak_threads"] >= 2
    assert document["total_ms"] < ARTICLE_TASKS * ARTICLE_IO_MS


@pytest.mark.parametrize("approach", CPU_APPROACHES)
def test_cpu_document(approach: str) -> None:
    document = cpu_document(approach)
    check_common_bounds(document, CPU_TASKS)
    assert document["approach"] == approach
    assert document["workload"] == {
        "kind": "cpu",
        "tasks": CPU_TASKS,
        "payload_bytes": CPU_PAYLOAD,
        "repeat": CPU_REPEAT,
        "pool_size": None,
        "workers": 2 if approach == "multiprocessing" else None,
    }
    assert document["checksum"] == independent_checksum(CPU_PAYLOAD, CPU_REPEAT)
    # No wait in a cpu task: no wake-up error.
    assert document["wakeup_ms"] is None


def test_cpu_asyncio_runs_one_task_at_a_time() -> None:
    # Each coroutine hashes without awaiting: one runs, the others wait, all submitted up front.
    document = cpu_document("asyncio")
    concurrency = document["concurrency"]
    assert (concurrency["peak_running"], concurrency["peak_in_flight"]) == (1, CPU_TASKS)


@pytest.mark.parametrize(
    "document_of",
    [lambda: cpu_document("multiprocessing"), lambda: loop_document("multiprocessing")],
    ids=["cpu", "cpu-loop"],
)
def test_multiprocessing_counts_workers(document_of: Callable[[], dict[str, Any]]) -> None:
    document = document_of()
    # A worker process runs one task at a time.
    assert 1 <= document["concurrency"]["peak_running"] <= WORKERS
    check_worker_processes(document)


def check_worker_processes(document: dict[str, Any]) -> None:
    memory = document["memory"]
    runtime = memory["runtime"]
    assert runtime["pool_workers"] == WORKERS
    assert 1 <= runtime["worker_processes_reporting"] <= WORKERS
    assert runtime["worker_peak_rss_bytes"] > 0
    # peak_rss_bytes is the parent's own VmHWM; the workers' are summed with it in `processes` only.
    assert memory["processes"] == {
        "count": 1 + runtime["worker_processes_reporting"],
        "peak_rss_sum_bytes": memory["peak_rss_bytes"] + runtime["worker_peak_rss_bytes"],
    }
    # Each worker was forked from the parent, so it holds at least the interpreter: its VmHWM counts
    # those shared pages again, and the sum exceeds the parent's own peak.
    assert memory["processes"]["peak_rss_sum_bytes"] > memory["peak_rss_bytes"]
    # The workers ran the tasks: RUSAGE_CHILDREN (reaped) is part of the whole-process CPU.
    assert document["checks"]["process_cpu_s"] >= document["cpu"]["user_s"] + document["cpu"]["system_s"] - 1e-6


def test_cpu_checksum_depends_on_parameters() -> None:
    args = ["--workload", "cpu", "--approach", "asyncio", "--tasks", "2", "--payload-bytes", "300"]
    document = run_ok([*args, "--repeat", "3"])
    assert document["checksum"] == independent_checksum(300, 3)
    assert document["checksum"] != independent_checksum(CPU_PAYLOAD, CPU_REPEAT)


def test_fractional_io_ms_is_echoed() -> None:
    document = run_ok(["--approach", "asyncio", "--tasks", "3", "--io-ms", "0.5"])
    assert document["workload"]["io_ms"] == 0.5
    assert document["latency_ms"]["service"]["p50"] >= 0.5
    assert document["wakeup_ms"]["earliest"] >= 0  # against D_ns = 500000 exactly


@pytest.mark.parametrize("approach", LOOP_APPROACHES)
def test_cpu_loop_document(approach: str) -> None:
    document = loop_document(approach)
    check_common_bounds(document, CPU_TASKS)
    assert document["approach"] == approach
    assert document["workload"] == {
        "kind": "cpu-loop",
        "tasks": CPU_TASKS,
        "loop_bytes": LOOP_BYTES,
        "pool_size": None,
        "workers": WORKERS if approach == "multiprocessing" else None,
    }
    assert document["checksum"] == expected_loop_checksum(LOOP_BYTES)
    assert document["wakeup_ms"] is None  # no wait in a cpu-loop task


def test_cpu_loop_asyncio_runs_one_task_at_a_time() -> None:
    concurrency = loop_document("asyncio")["concurrency"]
    assert (concurrency["peak_running"], concurrency["peak_in_flight"]) == (1, CPU_TASKS)


def test_cpu_loop_checksum_is_task_0s_hash_at_any_size() -> None:
    document = run_ok(["--workload", "cpu-loop", "--approach", "threading", "--tasks", "2", "--loop-bytes", "16384"])
    assert document["checksum"] == expected_loop_checksum(16384) == "a98b5dc5"


@pytest.mark.parametrize("approach", MIXED_APPROACHES)
def test_mixed_document(approach: str) -> None:
    document = mixed_document(approach)
    check_common_bounds(document, MIXED_TASKS)
    assert document["approach"] == approach
    assert document["workload"] == {
        "kind": "mixed",
        "tasks": MIXED_TASKS,
        "io_ms": MIXED_IO_MS,
        "loop_bytes": MIXED_LOOP_BYTES,
        "pool_size": MIXED_POOL_SIZE if approach == "threadpool" else None,
        "workers": WORKERS if approach == "asyncio-processpool" else None,
    }
    assert document["checksum"] == expected_loop_checksum(MIXED_LOOP_BYTES)
    # Every task waits D before its work: no task is served faster than its wait.
    service_cdf = document["latency_ms"]["cdf"]["service"]
    assert service_cdf[0] >= MIXED_IO_MS
    assert document["total_ms"] >= MIXED_IO_MS
    # Python's sleeps never return early; woke is stamped after the wait and before the work, so task by
    # task (woke - started) <= (finished - started): each order statistic of the wake-up error is at
    # most the same one of the service time, minus D.
    wakeup = document["wakeup_ms"]
    assert wakeup["early_tasks"] == 0
    assert 0 <= wakeup["earliest"] <= wakeup["p50"] <= wakeup["p99"] <= wakeup["latest"]
    assert wakeup["earliest"] <= service_cdf[0] - MIXED_IO_MS + 1e-6
    assert wakeup["p50"] <= service_cdf[50] - MIXED_IO_MS + 1e-6
    assert wakeup["p99"] <= service_cdf[99] - MIXED_IO_MS + 1e-6
    assert wakeup["latest"] <= service_cdf[100] - MIXED_IO_MS + 1e-6


def test_mixed_asyncio_runs_on_the_loop_thread_alone() -> None:
    document = mixed_document("asyncio")
    assert document["cpu"]["peak_threads"] == 1
    # All tasks are created before the loop runs any, and all start (and begin to wait) in one loop
    # iteration: every task is in flight and running at once, as for io.
    concurrency = document["concurrency"]
    assert (concurrency["peak_running"], concurrency["peak_in_flight"]) == (MIXED_TASKS, MIXED_TASKS)


def test_mixed_threadpool_runs_at_most_pool_size_tasks() -> None:
    document = mixed_document("threadpool")
    assert document["cpu"]["peak_threads"] == MIXED_POOL_SIZE + 1
    assert 1 <= document["concurrency"]["peak_running"] <= MIXED_POOL_SIZE
    # A pool thread runs one task (>= D) at a time: ceil(N / P) rounds of at least D each.
    assert document["total_ms"] >= -(-MIXED_TASKS // MIXED_POOL_SIZE) * MIXED_IO_MS


def test_mixed_to_thread_starts_the_default_executor_before_the_window() -> None:
    document = mixed_document("asyncio-to-thread")
    threads = document["memory"]["runtime"]["default_executor_threads"]
    assert threads >= 1
    # The loop's thread and the default executor's, all started before the window, none inside it.
    assert document["cpu"]["peak_threads"] == threads + 1


def test_mixed_processpool_counts_workers() -> None:
    document = mixed_document("asyncio-processpool")
    check_worker_processes(document)
    # The event loop thread beside the executor's manager thread and the call queue's feeder thread,
    # all in the parent; the workers are processes of their own.
    assert document["cpu"]["peak_threads"] >= 2
