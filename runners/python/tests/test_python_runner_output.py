"""Real runs of every approach: schema-valid documents and logical bounds on their figures.

io runs use the article's parameters (N=1000 tasks of D=10 ms); cpu runs use a smaller payload
repetition to keep the suite quick (tests/runners/test_python_runner.py runs the article's sizes).
No assertion depends on how fast this machine is, only on what must hold on any machine.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import pytest
from python_runner_harness import (
    ARTICLE_IO_MS,
    ARTICLE_POOL_SIZE,
    ARTICLE_TASKS,
    independent_checksum,
    run_ok,
)

IO_APPROACHES = ("threading", "asyncio", "threadpool")
CPU_APPROACHES = ("threading", "asyncio", "multiprocessing")
CPU_TASKS = 50
CPU_REPEAT = 1000
CPU_PAYLOAD = 64


@cache
def io_document(approach: str) -> dict[str, Any]:
    """One run per approach for the whole module, at the article's io parameters."""
    args = ["--workload", "io", "--approach", approach, "--tasks", str(ARTICLE_TASKS)]
    return run_ok([*args, "--io-ms", str(ARTICLE_IO_MS)])


@cache
def cpu_document(approach: str) -> dict[str, Any]:
    args = ["--workload", "cpu", "--approach", approach, "--tasks", str(CPU_TASKS)]
    return run_ok([*args, "--repeat", str(CPU_REPEAT), "--payload-bytes", str(CPU_PAYLOAD), "--workers", "2"])


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
    assert memory["vm_peak_bytes"] >= memory["peak_rss_bytes"] or document["approach"] == "multiprocessing"
    assert isinstance(memory["runtime"]["gc_counts"], list)
    assert memory["runtime"]["allocated_blocks"] > 0
    cpu = document["cpu"]
    assert cpu["user_s"] + cpu["system_s"] > 0
    assert cpu["peak_threads"] >= 1
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


def test_cpu_asyncio_runs_one_task_at_a_time() -> None:
    # Each coroutine hashes without awaiting: one runs, the others wait, all submitted up front.
    document = cpu_document("asyncio")
    concurrency = document["concurrency"]
    assert (concurrency["peak_running"], concurrency["peak_in_flight"]) == (1, CPU_TASKS)


def test_cpu_multiprocessing_counts_workers() -> None:
    document = cpu_document("multiprocessing")
    # A worker process runs one task at a time.
    assert 1 <= document["concurrency"]["peak_running"] <= 2
    runtime = document["memory"]["runtime"]
    assert 1 <= runtime["worker_processes_reporting"] <= 2
    assert runtime["worker_peak_rss_bytes"] > 0
    # Workers' peaks are added to the parent's: the sum exceeds any single process's baseline.
    assert document["memory"]["peak_rss_bytes"] > document["memory"]["baseline_rss_bytes"]
    assert document["memory"]["peak_rss_bytes"] >= runtime["worker_peak_rss_bytes"]


def test_cpu_checksum_depends_on_parameters() -> None:
    args = ["--workload", "cpu", "--approach", "asyncio", "--tasks", "2", "--payload-bytes", "300"]
    document = run_ok([*args, "--repeat", "3"])
    assert document["checksum"] == independent_checksum(300, 3)
    assert document["checksum"] != independent_checksum(CPU_PAYLOAD, CPU_REPEAT)


def test_fractional_io_ms_is_echoed() -> None:
    document = run_ok(["--approach", "asyncio", "--tasks", "3", "--io-ms", "0.5"])
    assert document["workload"]["io_ms"] == 0.5
    assert document["latency_ms"]["service"]["p50"] >= 0.5
